# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import copy

import torch

from mmrazor_dfad.models import DataFreeEMA
from mmrazor_dfad.registry import MODELS


def algorithm_with_pool(cfg):
    torch.manual_seed(0)
    cfg = copy.deepcopy(cfg)
    cfg['pool'] = dict(type='SyntheticImagePool', capacity=32)
    return MODELS.build(cfg)


def test_the_average_holds_no_second_pool(toy_algorithm_cfg):
    algorithm = algorithm_with_pool(toy_algorithm_cfg)
    ema = DataFreeEMA(algorithm, momentum=0.5)
    assert algorithm.pool is not None and ema.module.pool is None
    saved = ema.state_dict()
    assert not any('pool' in key for key in saved)
    assert any(key.startswith('module.architecture.') for key in saved)
    # The weights still average, and their order matches the model's (what
    # EMAHook swaps for validation).
    with torch.no_grad():
        for param in algorithm.student.parameters():
            param.add_(1.0)
    ema.update_parameters(algorithm)
    ema.update_parameters(algorithm)
    assert [name for name, _ in ema.module.named_parameters()] == \
        [name for name, _ in algorithm.named_parameters()]
    # A checkpoint of the average loads back (EMAHook resumes it).
    DataFreeEMA(algorithm_with_pool(toy_algorithm_cfg)).load_state_dict(
        saved, strict=False)


def test_averaged_buffers_keep_the_pool(toy_algorithm_cfg):
    ema = DataFreeEMA(
        algorithm_with_pool(toy_algorithm_cfg), update_buffers=True)
    assert ema.module.pool is not None
