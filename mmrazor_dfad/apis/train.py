# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Training with MMEngine's runner, as ``tools/train.py`` runs it: config
overrides, the resume decision, the work-dir lock and the messages of runs
that stop."""
import argparse
import os
import sys
from typing import List, Optional

import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.runner import Runner

from mmrazor_dfad.engine.hooks import describe_stalled_ranks
from mmrazor_dfad.models.tasks import check_data
from mmrazor_dfad.utils import (WorkDirLock, checkpoint_safe_globals,
                                choose_resume_checkpoint, ensure_writable_dir,
                                init_cpu_distributed, resolve_work_dir,
                                search_resumable_checkpoint)
from mmrazor_dfad.utils.config_keys import explain_unknown_key
from mmrazor_dfad.utils.downloads import download_failures_told
from mmrazor_dfad.utils.provenance import write_provenance
from mmrazor_dfad.utils.run_setup import (use_alternating_optim_wrapper,
                                          use_cpu_capable_model_wrapper,
                                          use_data_free_train_loader,
                                          use_safe_checkpoint_hook)
from .command_line import add_runner_arguments, parse_runner_arguments


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The command line of ``tools/train.py``."""
    parser = argparse.ArgumentParser(description='Train a DFAD model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a value, from '
        'the newest complete checkpoint in the work dir (stops if there is '
        'none)')
    parser.add_argument(
        '--resume-if-any',
        action='store_true',
        help='resume from the newest complete checkpoint in the work dir if '
        'there is one, else start from scratch (for requeued jobs)')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='mixed precision training of student and generator (GPU)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rates by total batch / base_batch_size')
    add_runner_arguments(parser)
    return parse_runner_arguments(parser, argv)


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


def build_config(args: argparse.Namespace) -> Config:
    """The config to train: the file, ``--cfg-options``, the work dir,
    ``--amp`` and ``--auto-scale-lr`` applied."""
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
    return cfg


def prepare_run(cfg: Config, args: argparse.Namespace) -> List[str]:
    """Safe checkpoints, the resume decision, a log of current values only
    (``DropStaleLogsHook``), heartbeats (distributed).

    Returns:
        list[str]: Lines for the log.
    """
    # First: a training dataset that the data-free algorithm never reads
    # is not checked, downloaded or loaded.
    data_free_note = use_data_free_train_loader(cfg)
    notes = [data_free_note] if data_free_note else []
    # A wrong data_root fails here, by name, not inside the first
    # validation; so does an MNIST folder prepared before its validation
    # split existed (the message names the command that adds it).
    check_data(cfg)
    safe_hook_note = use_safe_checkpoint_hook(cfg)
    if safe_hook_note:
        notes.append(safe_hook_note)
    optim_note = use_alternating_optim_wrapper(cfg)
    if optim_note:
        notes.append(optim_note)
    if args.launcher != 'none':
        wrapper_note = use_cpu_capable_model_wrapper(cfg)
        if wrapper_note:
            notes.append(wrapper_note)
    # MMEngine trusts work_dir/last_checkpoint blindly and silently starts
    # from scratch when it finds nothing; decide here, and say so.
    checkpoint, resume_notes = choose_resume_checkpoint(
        cfg.work_dir, args.resume, args.resume_if_any)
    notes += resume_notes
    if checkpoint is not None:
        cfg.resume = True
        cfg.load_from = checkpoint
    added_hooks = ['DropStaleLogsHook']
    if args.launcher != 'none':
        added_hooks.append('HeartbeatHook')
    custom_hooks = list(cfg.get('custom_hooks', None) or [])
    present = {hook.get('type') for hook in custom_hooks}
    cfg.custom_hooks = custom_hooks + [
        dict(type=name, _scope_='mmrazor_dfad') for name in added_hooks
        if name not in present and f'mmrazor_dfad.{name}' not in present
    ]
    return notes


def interrupted_message(config: str, work_dir: str) -> str:
    """What ``tools/train.py`` prints on Ctrl-C: the newest complete
    checkpoint and the command that resumes from it (one line)."""
    newest = search_resumable_checkpoint(work_dir).path
    if newest is None:
        return (f'Interrupted before any checkpoint was saved in {work_dir}: '
                'nothing to resume; run the same command to start again.')
    return (f'Interrupted; the newest complete checkpoint is {newest}. '
            f'Resume with: python tools/train.py {config} --work-dir '
            f'{work_dir} --resume')


def _is_main_rank() -> bool:
    return int(os.environ.get('RANK', '0')) == 0


def main(argv: Optional[List[str]] = None) -> Runner:
    """Train as ``tools/train.py ARGV`` does; returns the finished runner."""
    args = parse_args(argv)
    cfg = build_config(args)
    notes = prepare_run(cfg, args)
    ensure_writable_dir(cfg.work_dir, '--work-dir')
    # One training per work dir. The OS drops the lock when the process
    # ends in any way, kill -9 included, so it is never stale.
    lock = WorkDirLock(cfg.work_dir)
    if _is_main_rank():
        lock.acquire()
    try:
        if _is_main_rank():
            # The commit, threads and machine of this start, for the
            # benchmark script that records the finished run.
            write_provenance(cfg.work_dir)
        # A download that fails (offline) ends in one line: what, why and
        # the fix, not a raw URLError.
        with download_failures_told():
            return _train(cfg, args, notes)
    except KeyboardInterrupt:
        # The checkpoints on disk are complete (atomic saves): say how to
        # go on from the newest instead of a traceback.
        if _is_main_rank():
            print(
                interrupted_message(args.config, cfg.work_dir),
                file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        lock.release()


def _build_runner(cfg: Config) -> Runner:
    """The runner of ``cfg``; a model key that its component does not take
    (a typo) fails with the closest valid key and the component's keys."""
    try:
        return Runner.from_cfg(cfg)
    except TypeError as error:
        explained = explain_unknown_key(error, cfg)
        if explained is None:
            raise
        raise TypeError(explained) from error


def _train(cfg: Config, args, notes: list) -> Runner:
    dist_cfg = cfg.get('env_cfg', {}).get('dist_cfg', {}) or {}
    init_cpu_distributed(args.launcher, dist_cfg.get('timeout'))
    # A model may load a checkpoint as it is built (MMRazor's KD teacher,
    # teacher_ckpt): one tools/train.py wrote holds MMEngine's types.
    with checkpoint_safe_globals():
        runner = _build_runner(cfg)
    for note in notes:
        runner.logger.info(note)
    try:
        with checkpoint_safe_globals():
            runner.train()
    except FloatingPointError:
        newest = search_resumable_checkpoint(runner.work_dir).path
        runner.logger.error(
            f'Newest complete checkpoint: {newest} (resume with --resume '
            f'{newest}).'
            if newest else 'No checkpoint was saved before training stopped.')
        raise
    except RuntimeError as error:
        if not _is_collective_timeout(error):
            raise
        rank = torch_dist.get_rank()
        stalled = describe_stalled_ranks(runner.work_dir,
                                         torch_dist.get_world_size(), rank)
        raise RuntimeError(
            f'Rank {rank} gave up waiting for the other ranks after the '
            'distributed timeout (env_cfg.dist_cfg.timeout, seconds): '
            f'{stalled}. Check that process (stopped, swapping, out of '
            'memory?); the checkpoints saved before are intact: resume with '
            '--resume.') from error
    return runner


def _is_collective_timeout(error: RuntimeError) -> bool:
    """A distributed collective gave up on a rank that stopped answering."""
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return False
    text = str(error).lower()
    return any(
        word in text
        for word in ('timed out', 'timeout', 'connection closed by peer',
                     'connection reset by peer'))
