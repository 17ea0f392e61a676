# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Training speed of a config through MMEngine's runner, as
``tools/train.py`` runs it (logging every iteration; no validation, no
checkpoint, no custom hooks)."""
import argparse
import json
import os
import os.path as osp
import platform
import resource
import statistics
import tempfile
import time
from typing import Dict, List, Optional, Sequence

import torch

from mmrazor_dfad.visualization import read_scalars
from .train import main as train_main


def seconds_per_iteration(config: str,
                          iters: int,
                          batch_size: Optional[int] = None,
                          cfg_options: Sequence[str] = (),
                          work_dir: Optional[str] = None) -> float:
    """Median seconds per training iteration of ``config``.

    Trains ``iters + 1`` iterations and drops the first (warm-up: lazy
    initialisation, allocator growth).

    Args:
        config (str): The config file.
        iters (int): Timed iterations.
        batch_size (int, optional): Overrides ``train_dataloader.batch_size``.
        cfg_options (Sequence[str]): Further ``key=value`` overrides.
        work_dir (str, optional): Where the run writes its log; a temporary
            folder by default.

    Returns:
        float: The median of the per-iteration times the runner logged.
    """
    if iters < 1:
        raise ValueError(f'iters must be >= 1, got {iters}.')
    work_dir = work_dir or tempfile.mkdtemp(prefix='speed_')
    options = [
        f'train_cfg.max_iters={iters + 1}', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1',
        f'default_hooks.checkpoint.interval={10**9}',
        'default_hooks.checkpoint.save_last=False', 'custom_hooks=[]'
    ]
    if batch_size is not None:
        options.append(f'train_dataloader.batch_size={batch_size}')
    train_main([
        config, '--work-dir', work_dir, '--cfg-options', *options, *cfg_options
    ])
    times = [
        row['time'] for row in read_scalars(work_dir)
        if 'time' in row and 'distill.loss' in row
    ]
    return statistics.median(times[1:])


def main(argv: Optional[List[str]] = None) -> Dict:
    """Benchmark as ``tools/analysis_tools/benchmark_speed.py ARGV`` does.

    Returns:
        dict: What is printed and written to ``--out``.
    """
    parser = argparse.ArgumentParser(
        description='Seconds per training iteration of a DFAD config')
    parser.add_argument('config')
    parser.add_argument(
        '--batch',
        type=int,
        default=None,
        help='train_dataloader.batch_size (default: the '
        "config's)")
    parser.add_argument(
        '--iters', type=int, default=5, help='timed iterations per repeat')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='key=value overrides, as for tools/train.py')
    parser.add_argument('--out', help='write the result as JSON here')
    args = parser.parse_args(argv)
    samples = [
        seconds_per_iteration(args.config, args.iters, args.batch,
                              args.cfg_options) for _ in range(args.repeats)
    ]
    median = statistics.median(samples)
    result = dict(
        config=args.config,
        batch_size=args.batch,
        cfg_options=args.cfg_options,
        iters_per_repeat=args.iters,
        s_per_iter=median,
        iters_per_s=1 / median,
        samples=samples,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        device='cuda' if torch.cuda.is_available() else 'cpu',
        threads=torch.get_num_threads(),
        machine=f'{os.cpu_count()} CPU cores, {platform.machine()}',
        torch=torch.__version__,
        date=time.strftime('%Y-%m-%d'))
    print(f'{args.config}: {median:.4f} s/iter ({1 / median:.2f} iter/s), '
          f'median of {args.repeats} x {args.iters} iterations; peak RSS '
          f"{result['peak_rss_mb']:.0f} MB")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as file:
            json.dump(result, file, indent=2)
    return result
