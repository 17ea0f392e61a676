# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Record finished ``make demo`` runs in results/mnist_demo.json.

    /usr/bin/time -v python tools/misc/mnist_demo.py --work-dir W --seed S \
        > W.out 2>&1
    python .dev_scripts/record_demo.py [--results results/mnist_demo.json]
        [--variant demo] [--machine TEXT] W [W ...]

The runs are ``tools/misc/mnist_demo.py``'s. Reads each run's
``demo_summary.json`` (the demo's one read of the test
split, at the final iteration), its validations (validation split, held out
from the training images) and, from ``W.out``, what ``/usr/bin/time -v``
measured for the whole command (wall time, CPU share). Stores one run record
per work dir (after the variant's earlier runs, which stay), then
regenerates the tables (``update_model_zoo.py``).
"""
import argparse
import json
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Dict, List, Optional

from mmrazor_dfad.apis.distill import LABEL_FREE_SCORE
from mmrazor_dfad.evaluation.label_free_selection import read_validations
from run_records import RunRecord, dump_results, load_or_create, provenance

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def time_report(path: str) -> Dict[str, float]:
    """Wall seconds and CPU percent from a ``/usr/bin/time -v`` report."""
    with open(path, encoding='utf-8', errors='replace') as file:
        text = file.read()
    wall = re.search(r'Elapsed \(wall clock\) time.*: ([\d:.]+)', text)
    cpu = re.search(r'Percent of CPU this job got: (\d+)%', text)
    if wall is None:
        raise SystemExit(f'{path} has no /usr/bin/time -v report: run the '
                         'demo under /usr/bin/time -v, as the usage says')
    seconds = 0.0
    for part in wall.group(1).split(':'):
        seconds = seconds * 60 + float(part)
    return dict(wall_time_s=seconds, percent_cpu=int(cpu.group(1)))


def record(work_dir: str, variant: str, machine: Optional[str],
           command: str) -> RunRecord:
    """One run record from a finished demo work dir."""
    with open(osp.join(work_dir, 'demo_summary.json')) as file:
        summary = json.load(file)
    timing = time_report(work_dir.rstrip('/') + '.out')
    validations = [(row['step'], {
        key: row[name]
        for key, name in (('student_top1', 'accuracy/top1'),
                          ('label_free_agreement', LABEL_FREE_SCORE))
        if name in row
    }) for row in read_validations(work_dir) if 'accuracy/top1' in row]
    return RunRecord(
        variant=variant,
        description='make demo as shipped (tools/misc/mnist_demo.py): the '
        'MNIST DFAD recipe over 500 iterations with label-free early '
        'stopping; validations on the validation split, the final student '
        'tested once on the test split',
        config=osp.relpath(summary['config'], REPO)
        if osp.isabs(summary['config']) else summary['config'],
        seed=summary['seed'],
        **provenance(None, machine, work_dir),
        split=summary['split'],
        date=time.strftime('%Y-%m-%d'),
        command=command,
        metrics=dict(
            student_top1=summary['student_top1_final'],
            ratio=summary['ratio'],
            agreement=summary['agreement'],
            label_free_agreement=summary['label_free_score']),
        validations=validations,
        wall_time_s=timing['wall_time_s'],
        teacher_metrics=dict(teacher_top1=summary['teacher_top1']),
        extra=dict(
            validations_split=summary['val_split'],
            stop=summary['stop'],
            label_free_selected_step=summary['label_free_selected_step'],
            label_free_selected_val_top1=summary[
                'label_free_selected_val_top1'],
            training_wall_time_s=summary['wall_time_s'],
            percent_cpu=timing['percent_cpu'],
            wall_time_note='wall_time_s: the whole command (start-up, '
            'training, test, export, plot), /usr/bin/time'))


def main(argv: Optional[List[str]] = None) -> None:
    """Record the work dirs, regenerate the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dirs', nargs='+')
    parser.add_argument(
        '--results', default=osp.join(REPO, 'results', 'mnist_demo.json'))
    parser.add_argument('--variant', default='demo')
    parser.add_argument('--machine', default=None)
    args = parser.parse_args(argv)
    command = 'python .dev_scripts/record_demo.py ' + ' '.join(
        argv if argv is not None else sys.argv[1:])
    runs = [
        record(work_dir, args.variant, args.machine, command)
        for work_dir in args.work_dirs
    ]
    results = load_or_create(args.results)
    results.add_runs(args.variant, runs)
    dump_results(results, args.results)
    for run in runs:
        print(f"seed {run.seed}: {run.metrics['student_top1']:.2f} "
              f"({run.metrics['ratio']:.4f} of the teacher), "
              f'{run.wall_time_s / 60:.1f} min')
    subprocess.run([
        sys.executable,
        osp.join(REPO, '.dev_scripts', 'update_model_zoo.py')
    ],
                   check=True)


if __name__ == '__main__':
    main()
