# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Train a DFAD config with MMEngine's runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options key=value ...] [--launcher pytorch]
"""
import argparse
import os

import mmrazor_dfad  # noqa: F401  (makes MMRazor importable on torch 2.x)
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmrazor_dfad.utils import (checkpoint_safe_globals, ensure_writable_dir,
                                resolve_work_dir,
                                find_resumable_checkpoint,
                                init_cpu_distributed)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a DFAD model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a value, from '
        'the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='mixed precision training of student and generator (GPU)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rates by total batch / base_batch_size')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value, e.g. '
        'train_cfg.max_iters=100 model.student_iter=3')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank on torch >= 2.0 and
    # --local_rank before; accept both.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def enable_amp(cfg: Config) -> None:
    """Switch every optimizer wrapper of the config to ``AmpOptimWrapper``."""
    optim_cfg = cfg.optim_wrapper
    separate = 'constructor' in optim_cfg and 'optimizer' not in optim_cfg
    wrappers = [
        sub for key, sub in optim_cfg.items()
        if key not in ('constructor', 'type') and isinstance(sub, dict)
    ] if separate else [optim_cfg]
    for wrapper in wrappers:
        wrapper_type = wrapper.get('type', 'OptimWrapper')
        if wrapper_type not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(
                f'--amp needs OptimWrapper or AmpOptimWrapper, found '
                f'{wrapper_type}.')
        wrapper['type'] = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')


def build_config(args) -> Config:
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    resolve_work_dir(cfg, args.config, args.work_dir)
    if args.amp:
        enable_amp(cfg)
    if args.auto_scale_lr:
        scale_cfg = cfg.get('auto_scale_lr')
        if not scale_cfg or 'base_batch_size' not in scale_cfg:
            raise ValueError(
                '--auto-scale-lr needs auto_scale_lr=dict(base_batch_size=N) '
                'in the config.')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        # MMEngine trusts work_dir/last_checkpoint blindly; pick the newest
        # checkpoint that is complete instead (None: start from scratch).
        cfg.load_from = find_resumable_checkpoint(cfg.work_dir)
        cfg.resume = cfg.load_from is not None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = build_config(args)
    ensure_writable_dir(cfg.work_dir, '--work-dir')
    init_cpu_distributed(args.launcher)
    runner = Runner.from_cfg(cfg)
    with checkpoint_safe_globals():
        runner.train()
    return runner


if __name__ == '__main__':
    main()
