# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Build an algorithm and its alternating optimizer wrapper from a config
dict, and look at what one training step changed (unit tests of the
models and the engine share them)."""
import copy
from typing import Dict

import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS


def build(cfg: dict, seed: int = 0) -> nn.Module:
    """Build ``cfg`` (not modified) after seeding torch with ``seed``."""
    torch.manual_seed(seed)
    return MODELS.build(copy.deepcopy(cfg))


def build_optim(algorithm: nn.Module, student_lr: float = 0.1):
    """The ``AlternatingOptimWrapper`` of the DFAD configs for
    ``algorithm``: SGD (momentum 0.9) student, AdamW (lr 1e-3) generator."""
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=dict(
                    optimizer=dict(type='SGD', lr=student_lr, momentum=0.9)),
                generator=dict(optimizer=dict(type='AdamW', lr=1e-3)))))
    return constructor(algorithm)


def snapshot(module: nn.Module) -> Dict[str, torch.Tensor]:
    """Copies of the tensors of ``module.state_dict()``."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def count_steps(optim_wrapper) -> Dict[str, int]:
    """A dict whose ``'steps'`` counts the optimizer steps of
    ``optim_wrapper`` from now on."""
    counter = dict(steps=0)
    optim_wrapper.optimizer.register_step_post_hook(
        lambda *args: counter.__setitem__('steps', counter['steps'] + 1))
    return counter


def data_free_batch(batch_size: int) -> dict:
    """What ``DataFreeDataset`` and ``pseudo_collate`` give a train step."""
    return dict(sample_idx=list(range(batch_size)))
