# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Testing a checkpoint with MMEngine's runner, as ``tools/test.py`` runs it:
the checkpoint is loaded strictly, so weights of another model are refused
instead of scored at random. Also the one read of the test split a
benchmark makes per run, at its final iteration (:func:`final_test`,
:func:`final_test_of_work_dir`): everything selected during training
(early stopping, best checkpoints, recipes) reads the validation split."""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config
from mmengine.runner import Runner

from mmrazor_dfad.evaluation import use_label_free_test
from mmrazor_dfad.models.tasks import check_data
from mmrazor_dfad.utils import (checkpoint_safe_globals, ensure_writable_dir,
                                init_cpu_distributed, load_checkpoint_strictly,
                                resolve_work_dir, search_resumable_checkpoint)
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
    # An exported student's config imports the source written beside it
    # (``custom_imports``); its folder is found last, as a script's would be.
    config_dir = osp.dirname(osp.abspath(args.config))
    if config_dir not in sys.path:
        sys.path.append(config_dir)
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
    check_data(cfg, ('test_dataloader', ))
    logger = cfg.get('default_hooks', {}).get('logger')
    if args.launcher != 'none' and logger and logger.get('type') in (
            'LoggerHook', 'mmengine.LoggerHook'):
        # Only rank 0 writes the test metrics' JSON (RankZeroLoggerHook).
        logger['type'] = 'mmrazor_dfad.RankZeroLoggerHook'

    ensure_writable_dir(cfg.work_dir, '--work-dir')
    dist_cfg = cfg.get('env_cfg', {}).get('dist_cfg', {}) or {}
    init_cpu_distributed(args.launcher, dist_cfg.get('timeout'))
    with checkpoint_safe_globals():  # a teacher_ckpt the model loads
        runner = Runner.from_cfg(cfg)
    load_checkpoint_strictly(runner.model, args.checkpoint)
    runner.logger.info(f'Loaded {args.checkpoint} (every weight of the '
                       'model, strictly).')
    with checkpoint_safe_globals():
        return runner.test()


def final_test(runner: Runner) -> Dict:
    """Read the test split once, at the end of a run trained in this
    process: the runner's test loop (``test_dataloader``,
    ``test_evaluator``) on the model at its final iteration (with an
    ``EMAHook``, the averaged weights, as validation sees them).

    Args:
        runner (Runner): The runner after ``train()``.

    Returns:
        dict: The test metrics (the split is ``'test'``).
    """
    with checkpoint_safe_globals():
        return runner.test()


def final_test_of_work_dir(config: str,
                           work_dir: str,
                           cfg_options: Optional[Sequence[str]] = None,
                           test_dir: str = 'final_test') -> Dict:
    """Read the test split once for a finished run: ``tools/test.py CONFIG
    CHECKPOINT`` on the newest complete checkpoint of ``work_dir`` (the
    final iteration of a finished run), its logs in
    ``<work_dir>/<test_dir>``.

    Args:
        config (str): The config the run was trained with.
        work_dir (str): The run's work dir.
        cfg_options (Sequence[str], optional): The ``key=value``
            overrides it was trained with.
        test_dir (str): Where the test's logs go, in ``work_dir``.

    Returns:
        dict: The test metrics, and ``checkpoint``: the file tested.
    """
    checkpoint = search_resumable_checkpoint(work_dir).path
    if checkpoint is None:
        raise FileNotFoundError(
            f'{work_dir} holds no complete checkpoint to test.')
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    metrics = main([
        config, checkpoint, '--work-dir',
        osp.join(work_dir, test_dir), *options
    ])
    return dict(metrics, checkpoint=checkpoint)
