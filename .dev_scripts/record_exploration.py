# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Add one finished training run to an exploration record.

    python .dev_scripts/record_exploration.py RESULTS.json NAME WORK_DIR \
        CONFIG --seed S --description TEXT [--machine TEXT]
        [--cfg-options key=value ...] [--teacher-top1 T]

Reads the run's validation top-1 (``*/vis_data/scalars.json``) and its wall
time (first to last logged line) and stores them under ``runs[NAME]``.
"""
import argparse
import glob
import json
import os.path as osp
import re
from datetime import datetime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results')
    parser.add_argument('name')
    parser.add_argument('work_dir')
    parser.add_argument('config')
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--description', required=True)
    parser.add_argument('--machine', default='2 CPU cores, x86_64')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='the overrides the run was started with (key=value)')
    parser.add_argument('--teacher-top1', type=float, default=None)
    args = parser.parse_args()
    rows = []
    for path in sorted(
            glob.glob(
                osp.join(args.work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as file:
            rows += [json.loads(line) for line in file if line.strip()]
    validations = [[row['step'], row['accuracy/top1']] for row in rows
                   if 'accuracy/top1' in row]
    stamps = []
    for log in glob.glob(osp.join(args.work_dir, '*', '*.log')):
        with open(log) as file:
            for line in file:
                match = re.match(r'(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)', line)
                if match:
                    stamps.append(
                        datetime.strptime(match.group(1), '%Y/%m/%d %H:%M:%S'))
    with open(args.results) as file:
        record = json.load(file)
    record.setdefault('runs', {})[args.name] = dict(
        description=args.description,
        config=args.config,
        seed=args.seed,
        validations=validations,
        student_top1_final=validations[-1][1],
        student_top1_best_test_selected=max(v for _, v in validations),
        wall_time_s=(max(stamps) - min(stamps)).total_seconds(),
        machine=args.machine)
    if args.cfg_options:
        record['runs'][args.name]['cfg_options'] = args.cfg_options
    if args.teacher_top1 is not None:
        record['runs'][args.name]['teacher_top1'] = args.teacher_top1
    with open(args.results, 'w') as file:
        json.dump(record, file, indent=2)
    print(args.name, record['runs'][args.name]['student_top1_final'])


if __name__ == '__main__':
    main()
