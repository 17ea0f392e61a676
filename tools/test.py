# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Evaluate a DFAD checkpoint (the student) on the config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--label-free]
        [--cfg-options key=value ...] [--launcher pytorch]

``--label-free`` tests on the generated bank instead (label_free/* metrics:
teacher-student agreement, logit L1, class spread), with no dataset present.
"""
import argparse
import os

import mmrazor_dfad  # noqa: F401  (makes MMRazor importable on torch 2.x)
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmrazor_dfad.evaluation import use_label_free_test
from mmrazor_dfad.utils import (checkpoint_safe_globals, ensure_writable_dir,
                                init_cpu_distributed, load_checkpoint_strictly,
                                resolve_work_dir)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a DFAD student')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (path or URL)')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--label-free',
        action='store_true',
        help='test on the generated bank (no real data needed): '
        'label_free/* metrics of teacher and student')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.label_free:
        use_label_free_test(cfg)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    resolve_work_dir(cfg, args.config, args.work_dir)
    # Loaded below, strictly: MMEngine would only warn about a checkpoint
    # of another model and score random weights.
    cfg.load_from = None
    ensure_writable_dir(cfg.work_dir, '--work-dir')
    dist_cfg = cfg.get('env_cfg', {}).get('dist_cfg', {}) or {}
    init_cpu_distributed(args.launcher, dist_cfg.get('timeout'))
    runner = Runner.from_cfg(cfg)
    load_checkpoint_strictly(runner.model, args.checkpoint)
    runner.logger.info(f'Loaded {args.checkpoint} (every weight of the '
                       'model, strictly).')
    with checkpoint_safe_globals():
        return runner.test()


if __name__ == '__main__':
    main()
