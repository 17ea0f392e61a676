# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Benchmark one DFAD recipe over seeds and record it.

    python .dev_scripts/benchmark_recipe.py RESULTS.json NAME CONFIG
        --teacher-top1 T | --teacher-miou T [--seeds 0 1 2]
        [--cfg-options key=value ...]
        [--work-dir work_dirs/recipes] [--description TEXT]
        [--from-work-dirs DIR ...] [--diverged SEED=ITERATION ...]
        [--machine TEXT] [--threads N] [--dataset TITLE]
        [--stop-at-ratio R] [--teacher-val T]

Trains CONFIG once per seed (with the overrides), validating on the
validation split (held out from the training images) every
``train_cfg.val_interval`` iterations, then reads the test split **once**,
at the final iteration (the runner's test loop after training; for
``--from-work-dirs``, ``tools/test.py`` on the run's newest checkpoint, logs
in ``<work dir>/final_test``). It stores one run record per seed (variant
NAME, after NAME's earlier runs, which stay) in RESULTS.json
(``.dev_scripts/run_records``): the test top-1 (classification,
``--teacher-top1``) or mIoU (segmentation, ``--teacher-miou``: the
teacher's test score) as ``metrics`` with ``split: 'test'``; every
validation (``validations``, on the validation split:
``extra.validations_split`` is ``'val'``), the wall time, and in ``extra``
the best validation (``best_val_selected``, for reference only) and the
minutes and iterations until the student's validation score first reached
0.90, 0.95 and 0.98 of the teacher's validation score (``time_to_ratio``,
``null`` if never; the teacher's score in ``time_to_ratio_teacher``). Then
it regenerates the tables (``update_model_zoo.py``). ``--from-work-dirs``
records finished runs instead of training (one work dir per seed, in the
order of ``--seeds``); ``--diverged SEED=ITERATION`` records seeds that
diverged (no final value). ``--stop-at-ratio R`` ends each run at its first
validation at or above R times the teacher's validation score
(``--teacher-val``; MMEngine's ``EarlyStoppingHook``), for time-to-target
measurements: the selection reads the validation split only.
"""
import argparse
import glob
import os
import os.path as osp
import re
import subprocess
import sys
import time
from datetime import datetime
from typing import Dict, List, Optional, Tuple

from run_records import (RunRecord, dump_results, load_or_create, provenance,
                         summarize)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
RATIOS = (0.90, 0.95, 0.98)
# The scored metric of each task: its key in the run's scalars, its name in
# the records.
SCORES = dict(top1=('accuracy/top1', 'top1'), miou=('mIoU', 'mIoU'))
# What a segmentation run's test adds to its record, where its evaluators
# report it (ClassIoUMetric, SegTeacherStudentMetric).
SEG_EXTRAS = {
    'mIoU_things': 'student_mIoU_things',
    'mIoU_unmerged': 'student_mIoU_unmerged',
    'teacher_student/mIoU_vs_teacher': 'fidelity_mIoU',
    'teacher_student/teacher_mIoU': 'teacher_mIoU_measured',
}


def log_times(
        work_dir: str,
        key: str = 'accuracy/top1') -> Tuple[Dict[int, float], List[float]]:
    """Seconds since the start of training at which each validation of a
    run was logged (resumed runs continue the clock): by the iteration of
    the last training log line before it (exact when the logger interval
    divides the validation interval), and in the order logged."""
    stamp = r'(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)'
    elapsed, in_order, offset = {}, [], 0.0
    for log in sorted(glob.glob(osp.join(work_dir, '*', '*.log'))):
        start = last = None
        iteration = 0
        with open(log) as file:
            for line in file:
                match = re.match(stamp, line)
                if not match:
                    continue
                now = datetime.strptime(match.group(1), '%Y/%m/%d %H:%M:%S')
                start = start or now
                last = now
                train = re.search(r'Iter\(train\) \[\s*(\d+)/', line)
                if train:
                    iteration = int(train.group(1))
                if 'Iter(val)' in line and f'{key}:' in line:
                    seconds = offset + (now - start).total_seconds()
                    elapsed[iteration] = seconds
                    in_order.append(seconds)
        if start is not None:
            offset += (last - start).total_seconds()
    return elapsed, in_order


def read_run(work_dir: str,
             teacher_score: float,
             key: str = 'accuracy/top1') -> Dict:
    """Final and best validation score (``key`` in the scalars: the
    validation split), validations, wall time and time to ratios of
    ``teacher_score`` (the teacher's validation score)."""
    from mmrazor_dfad.visualization import read_scalars
    validations = [[row['step'], row[key]] for row in read_scalars(work_dir)
                   if key in row]
    if not validations:
        raise RuntimeError(f'{work_dir} has no validation results.')
    times, in_order = log_times(work_dir, key)
    if len(in_order) == len(validations):
        # One logged validation per recorded one: pair them in order, which
        # does not need a training log line at every validation.
        times = {
            step: seconds
            for (step, _), seconds in zip(validations, in_order)
        }
    reached = {}
    for ratio in RATIOS:
        hit = next(
            (step
             for step, score in validations if score >= ratio * teacher_score),
            None)
        reached[f'{ratio:.2f}'] = dict(
            iteration=hit,
            minutes=None if hit is None or hit not in times else times[hit] /
            60)
    return dict(
        final_val=validations[-1][1],
        best_val_selected=max(v for _, v in validations),
        validations=validations,
        wall_time_s=max(times.values()) if times else None,
        time_to_ratio=reached)


def config_stopping_at(config: str, work_dir: str, key: str,
                       threshold: float) -> str:
    """Write ``config`` with an ``EarlyStoppingHook`` that ends training
    at the first validation with ``key`` >= ``threshold`` into
    ``work_dir`` and return its path."""
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    # Only the threshold stops the run, never a plateau; the hook's rule
    # 'greater' is strict, so a score equal to the threshold stops it too
    # through the margin.
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(
            type='EarlyStoppingHook',
            monitor=key,
            rule='greater',
            stopping_threshold=threshold - 1e-6,
            patience=10**9)
    ]
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, 'stopping_' + osp.basename(config))
    cfg.dump(path)
    return path


def main(argv: Optional[List[str]] = None) -> None:
    """Train (or read) the seeds, record them, regenerate the tables."""
    parser = argparse.ArgumentParser(
        description='Benchmark one recipe over seeds: train CONFIG per seed '
        '(or read finished work dirs) and record one run record per seed, '
        'variant NAME, in RESULTS.json (e.g. results/mnist_recipes.json); '
        'then regenerate the tables from results/.')
    parser.add_argument('results', help='the results file (JSON)')
    parser.add_argument('name', help='the variant (recipe) name')
    parser.add_argument('config')
    teacher = parser.add_mutually_exclusive_group(required=True)
    teacher.add_argument(
        '--teacher-top1',
        type=float,
        help="the teacher's top-1 (classification)")
    teacher.add_argument(
        '--teacher-miou', type=float, help="the teacher's mIoU (segmentation)")
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--cfg-options', nargs='+', default=[])
    parser.add_argument('--work-dir', default='work_dirs/recipes')
    parser.add_argument('--description', default='')
    parser.add_argument(
        '--from-work-dirs',
        nargs='+',
        help='record these finished runs (one per seed) instead of training')
    parser.add_argument(
        '--diverged',
        nargs='+',
        default=[],
        metavar='SEED=ITERATION',
        help='seeds that diverged (no final value), recorded with the '
        'iteration at which they were stopped')
    parser.add_argument('--machine', default=None)
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='CPU threads per run (default: $OMP_NUM_THREADS when training)')
    parser.add_argument(
        '--dataset', help='the dataset title of a new results file')
    parser.add_argument(
        '--stop-at-ratio',
        type=float,
        default=None,
        help='stop each run at its first validation at or above this '
        "fraction of the teacher's validation score (--teacher-val)")
    parser.add_argument(
        '--teacher-val',
        type=float,
        default=None,
        help="the teacher's score on the validation split, for "
        '--stop-at-ratio and time_to_ratio (default: the test score given '
        'by --teacher-top1 / --teacher-miou)')
    args = parser.parse_args(argv)
    os.chdir(REPO)
    score = 'top1' if args.teacher_top1 is not None else 'miou'
    key, name = SCORES[score]
    teacher_score = args.teacher_top1 if score == 'top1' \
        else args.teacher_miou
    # What validation scores are compared with: the teacher's on the
    # validation split when given.
    teacher_val = dict(
        score=teacher_score if args.teacher_val is None else args.teacher_val,
        split='test' if args.teacher_val is None else 'val')
    threads = args.threads
    if threads is None and not args.from_work_dirs and os.environ.get(
            'OMP_NUM_THREADS', '').isdigit():
        threads = int(os.environ['OMP_NUM_THREADS'])
    common = dict(
        variant=args.name,
        description=args.description,
        config=args.config,
        cfg_options=args.cfg_options,
        date=time.strftime('%Y-%m-%d'),
        command='python .dev_scripts/benchmark_recipe.py ' +
        ' '.join(argv if argv is not None else sys.argv[1:]),
        teacher_metrics={f'teacher_{name}': teacher_score})
    runs = []
    for index, seed in enumerate(args.seeds):
        from mmrazor_dfad.apis.test import final_test, final_test_of_work_dir
        if args.from_work_dirs:
            work_dir = args.from_work_dirs[index]
            # The one read of the test split: the run's newest checkpoint.
            tested = final_test_of_work_dir(args.config, work_dir,
                                            args.cfg_options)
        else:
            from mmrazor_dfad.apis import train_main
            work_dir = osp.join(args.work_dir, args.name, f'seed{seed}')
            config = args.config if args.stop_at_ratio is None else \
                config_stopping_at(args.config, work_dir, key,
                                   args.stop_at_ratio * teacher_val['score'])
            runner = train_main([
                config, '--work-dir', work_dir, '--cfg-options',
                f'randomness.seed={seed}', *args.cfg_options
            ])
            # The one read of the test split, at the final iteration.
            tested = final_test(runner)
        run = read_run(work_dir, teacher_val['score'], key)
        metrics = {f'student_{name}': tested[key]}
        extra_metrics = {}
        if name == 'mIoU':
            # The same test pass: mIoU over things and over the unmerged
            # classes, fidelity to the teacher, each class's IoU.
            for test_key, record_key in SEG_EXTRAS.items():
                if test_key in tested:
                    metrics[record_key] = tested[test_key]
            # None: a class in neither label nor prediction (NaN).
            extra_metrics['per_class_iou'] = {
                test_key[len('IoU_'):]: None if value != value else value
                for test_key, value in tested.items()
                if test_key.startswith('IoU_')
            }
        runs.append(
            RunRecord(
                seed=seed,
                # The commit, threads and machine the run started with.
                **provenance(threads, args.machine, work_dir),
                split='test',
                metrics=metrics,
                validations=[(step, {
                    f'student_{name}': value
                }) for step, value in run['validations']],
                wall_time_s=run['wall_time_s'],
                extra=dict(
                    validations_split='val',
                    final_val={f'student_{name}': run['final_val']},
                    best_val_selected={
                        f'student_{name}': run['best_val_selected']
                    },
                    time_to_ratio=run['time_to_ratio'],
                    time_to_ratio_teacher=teacher_val,
                    **extra_metrics),
                **common))
    for item in args.diverged:
        seed, iteration = map(int, item.split('='))
        runs.append(
            RunRecord(
                seed=seed,
                extra=dict(diverged_at_iteration=iteration),
                # Known when it was trained here (its work dir says).
                **provenance(threads, args.machine,
                             osp.join(args.work_dir, args.name,
                                      f'seed{seed}')),
                **common))
    results = load_or_create(
        args.results,
        dataset=args.dataset,
        description='Recipes over seeds, written by '
        '.dev_scripts/benchmark_recipe.py.')
    results.add_runs(args.name, runs)
    dump_results(results, args.results)
    stats = summarize(runs, f'student_{name}', f'teacher_{name}')
    print(f'{args.name}: {stats.mean:.2f} +- {stats.std:.2f} '
          f'(ratio {stats.ratio:.3f}); wrote {args.results}')
    subprocess.run([
        sys.executable,
        osp.join(REPO, '.dev_scripts', 'update_model_zoo.py')
    ],
                   check=True)


if __name__ == '__main__':
    main()
