# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Add one finished training run to an exploration record.

    python .dev_scripts/record_exploration.py RESULTS.json NAME WORK_DIR \
        CONFIG --seed S --description TEXT [--machine TEXT]
        [--cfg-options key=value ...] [--teacher-top1 T | --teacher-miou M]
        [--threads N]

Reads the run's validation top-1, or for a segmentation run its mIoU,
things mIoU and fidelity to the teacher (``*/vis_data/scalars.json``: the
validation split, held out from the training images) and its wall time
(first to last logged line) and stores them as the run record of variant
NAME in RESULTS.json (``.dev_scripts/run_records``), after the
earlier runs of that name, which stay; ``update_model_zoo.py`` renders the
exploration tables of docs/experiments.md from it. An exploration selects,
so it never reads the test split: the recorded final top-1 is the last
validation's (``split: 'val'``); a chosen recipe is then measured on the
test split by ``benchmark_recipe.py``.
"""
import argparse
import glob
import json
import os.path as osp
import re
import time
from datetime import datetime

from run_records import RunRecord, dump_results, load_or_create, provenance


def main() -> None:
    """Read the work dir and record the run."""
    parser = argparse.ArgumentParser(
        description='Record one finished training run (its validation top-1 '
        'on the validation split, never the test split, and wall time, read '
        'from WORK_DIR) as the run record of variant '
        'NAME in the exploration results file RESULTS.json (e.g. '
        'results/mnist_exploration.json).')
    parser.add_argument('results', help='the results file (JSON)')
    parser.add_argument('name', help='the variant name of the run')
    parser.add_argument('work_dir')
    parser.add_argument('config')
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--description', required=True)
    parser.add_argument(
        '--machine',
        default=None,
        help="where it ran and how the machine was shared (default: the "
        "work dir's run_provenance.json)")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='the overrides the run was started with (key=value)')
    parser.add_argument('--teacher-top1', type=float, default=None)
    parser.add_argument(
        '--teacher-miou',
        type=float,
        default=None,
        help="a segmentation teacher's validation mIoU")
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument(
        '--dataset', help='the dataset title of a new results file')
    args = parser.parse_args()
    rows = []
    for path in sorted(
            glob.glob(
                osp.join(args.work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as file:
            rows += [json.loads(line) for line in file if line.strip()]
    # Classification runs log top-1; segmentation runs mIoU (and, on the
    # scene benchmark, the things mIoU and the fidelity to the teacher).
    segmentation = not any('accuracy/top1' in row for row in rows)
    metric = 'student_mIoU' if segmentation else 'student_top1'
    keys = dict(
        student_mIoU='mIoU',
        student_mIoU_things='mIoU_things',
        fidelity_mIoU='teacher_student/mIoU_vs_teacher',
        label_free_mIoU_vs_teacher='label_free/mIoU_vs_teacher'
    ) if segmentation else dict(student_top1='accuracy/top1')
    validations = [
        (row['step'],
         {name: row[key]
          for name, key in keys.items() if key in row}) for row in rows
        if keys[metric] in row
    ]
    if not validations:
        raise SystemExit(f'{args.work_dir}: no validation of '
                         f'{keys[metric]!r} in */vis_data/scalars.json; '
                         'is it the work dir of a finished run?')
    stamps = []
    for log in glob.glob(osp.join(args.work_dir, '*', '*.log')):
        with open(log) as file:
            for line in file:
                match = re.match(r'(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)', line)
                if match:
                    stamps.append(
                        datetime.strptime(match.group(1), '%Y/%m/%d %H:%M:%S'))
    best = max(metrics[metric] for _, metrics in validations)
    teacher_metrics = {}
    if args.teacher_top1 is not None:
        teacher_metrics['teacher_top1'] = args.teacher_top1
    if args.teacher_miou is not None:
        teacher_metrics['teacher_mIoU'] = args.teacher_miou
    run = RunRecord(
        variant=args.name,
        description=args.description,
        config=args.config,
        cfg_options=args.cfg_options,
        seed=args.seed,
        # The commit, threads and machine the run started with.
        **provenance(args.threads, args.machine, args.work_dir),
        date=time.strftime('%Y-%m-%d'),
        # An exploration selects: the last validation, never the test.
        split='val',
        metrics=dict(validations[-1][1]),
        validations=validations,
        wall_time_s=(max(stamps) - min(stamps)).total_seconds(),
        teacher_metrics=teacher_metrics,
        extra=dict(validations_split='val', best_val_selected={metric: best}))
    results = load_or_create(
        args.results,
        dataset=args.dataset,
        description='Exploration runs, written by '
        '.dev_scripts/record_exploration.py.')
    results.add_runs(args.name, [run])
    dump_results(results, args.results)
    print(args.name, run.final(metric))


if __name__ == '__main__':
    main()
