# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Testing a checkpoint with MMEngine's runner, as ``tools/test.py`` runs it:
the checkpoint is loaded strictly, so weights of another model are refused
instead of scored at random."""
import argparse
from typing import List, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from mmrazor_dfad.datasets import check_data_folders
from mmrazor_dfad.evaluation import use_label_free_test
from mmrazor_dfad.utils import (checkpoint_safe_globals, ensure_writable_dir,
                                init_cpu_distributed, load_checkpoint_strictly,
                                resolve_work_dir)
from .command_line import add_runner_arguments, parse_runner_arguments


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The command line of ``tools/test.py``."""
    parser = argparse.ArgumentParser(description='Test a DFAD student')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (path or URL)')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument(
        '--label-free',
        action='store_true',
        help='test on the generated bank (no real data needed): '
        'label_free/* metrics of teacher and student')
    add_runner_arguments(parser)
    return parse_runner_arguments(parser, argv)


def main(argv: Optional[List[str]] = None) -> dict:
    """Test as ``tools/test.py ARGV`` does; returns the metrics."""
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
    check_data_folders(cfg, ('test_dataloader', ))
    logger = cfg.get('default_hooks', {}).get('logger')
    if args.launcher != 'none' and logger and logger.get('type') in (
            'LoggerHook', 'mmengine.LoggerHook'):
        # Only rank 0 writes the test metrics' JSON (RankZeroLoggerHook).
        logger['type'] = 'mmrazor_dfad.RankZeroLoggerHook'

    ensure_writable_dir(cfg.work_dir, '--work-dir')
    dist_cfg = cfg.get('env_cfg', {}).get('dist_cfg', {}) or {}
    init_cpu_distributed(args.launcher, dist_cfg.get('timeout'))
    runner = Runner.from_cfg(cfg)
    load_checkpoint_strictly(runner.model, args.checkpoint)
    runner.logger.info(f'Loaded {args.checkpoint} (every weight of the '
                       'model, strictly).')
    with checkpoint_safe_globals():
        return runner.test()
