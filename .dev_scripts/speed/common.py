# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the contenders share: the device, the config, the models, the
optimisers and the timer."""
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmrazor_dfad.registry import MODELS

# The runner trains on the GPU when there is one; the other contenders
# follow it there.
DEVICE = 'cuda' if torch.cuda.is_available() else 'cpu'


def synchronize():
    """Wait for queued GPU work, so a timer sees the work it timed."""
    if DEVICE == 'cuda':
        torch.cuda.synchronize()


def median_seconds(step, iters):
    """Median seconds of ``step()`` over ``iters`` calls after one warm-up
    call."""
    step()  # warm-up
    times = []
    for _ in range(iters):
        synchronize()
        start = time.perf_counter()
        step()
        synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_cfg(config, batch, cfg_options=()):
    """The config with the benchmark's batch and ``key=value`` overrides."""
    cfg = Config.fromfile(config)
    cfg.train_dataloader.batch_size = batch
    for option in cfg_options:
        key, value = option.split('=', 1)
        cfg.merge_from_dict({key: value})
    init_default_scope(cfg.default_scope)
    return cfg


def build_algorithm(cfg):
    """Our algorithm from ``cfg.model`` (seeded), on the device, training."""
    torch.manual_seed(0)
    return MODELS.build(cfg.model).to(DEVICE).train()


def make_optimizers(cfg, student, generator):
    """The student's and the generator's ``torch.optim`` optimisers as the
    config's ``optim_wrapper`` describes them."""

    def build(opt_cfg, params):
        opt_cfg = dict(opt_cfg)
        kind = getattr(torch.optim, opt_cfg.pop('type'))
        return kind(params, **opt_cfg)

    return (build(cfg.optim_wrapper.architecture.optimizer,
                  student.parameters()),
            build(cfg.optim_wrapper.generator.optimizer,
                  generator.parameters()))
