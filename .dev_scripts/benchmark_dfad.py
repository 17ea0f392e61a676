# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Regenerate a results table: DFAD over seeds plus the baselines.

    python .dev_scripts/benchmark_dfad.py mnist [--seeds 0 1 2]
    python .dev_scripts/benchmark_dfad.py fashion_mnist

For each seed it trains the DFAD config (no training data), validating on
the validation split (held out from the training images), and reads the
real test split **once**, at the final iteration (the runner's test loop
after training): the student's test top-1 is the recorded number
(``split: 'test'``); the best over the periodic validations is kept,
labelled as such, in ``extra.best_val_selected`` (``split`` of the
validations: ``extra.validations_split``, ``'val'``). Baselines, same
student, each tested once at its final epoch: (a) supervised on the real
training split (minus the validation split), (b) KD from the teacher on
the same images (same L1-on-logits loss, no labels), (c) DFAD with the
generator never updated (its learning rate set to 0). Writes
``results/<dataset>_dfad.json`` (one run record per seed, variant
``plain-dfad``, and the baselines in its header, their split in
``extra.baselines_split``; see ``.dev_scripts/run_records``), then
regenerates the tables from it (``update_model_zoo.py``).
"""
import argparse
import importlib
import os
import os.path as osp
import subprocess
import sys
import time

from run_records import (ResultsFile, RunRecord, dump_results, load_results,
                         provenance)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

SETUPS = {
    'mnist':
    dict(
        title='MNIST',
        config='configs/dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
        supervised='configs/vanilla/lenet5half_1xb64_mnist.py',
        kd='configs/kd/kd_logits_lenet5_lenet5half_1xb64_mnist.py',
        prepare='mnist',
        data_root='data/mnist'),
    'fashion_mnist':
    dict(
        title='Fashion-MNIST',
        config='configs/dfad/'
        'dfad_logits_lenet5_lenet5half_1xb256_fashionmnist.py',
        supervised='configs/vanilla/lenet5half_1xb64_fashionmnist.py',
        kd='configs/kd/kd_logits_lenet5_lenet5half_1xb64_fashionmnist.py',
        prepare='fashion_mnist',
        data_root='data/fashion_mnist'),
}

BASELINES = {
    'supervised': '(a) supervised on the real training split',
    'kd': '(b) KD on the real training images (L1 on logits)',
    'frozen': '(c) DFAD, generator never updated (final)',
}


def train_baseline(config: str, work_dir: str) -> dict:
    """Train a baseline (validating on the validation split), then read the
    test split once at its final epoch."""
    from mmrazor_dfad.apis import train_main
    from mmrazor_dfad.apis.test import final_test
    start = time.time()
    runner = train_main([osp.join(REPO, config), '--work-dir', work_dir])
    wall_time = time.time() - start
    return dict(
        top1=final_test(runner)['accuracy/top1'],
        split='test',
        wall_time_s=wall_time,
        config=config)


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Benchmark plain DFAD over seeds and the baselines '
        '(supervised, KD on real images, frozen generator) on one dataset; '
        'records one run record per seed and the baselines in '
        'results/<dataset>_dfad.json (or --out), then regenerates the '
        'tables from results/.')
    parser.add_argument('dataset', choices=sorted(SETUPS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/benchmark')
    parser.add_argument('--out', default=None)
    parser.add_argument(
        '--skip-baselines',
        action='store_true',
        help='only the DFAD seeds (baselines are copied from --out if any)')
    parser.add_argument(
        '--baselines',
        nargs='+',
        choices=list(BASELINES),
        default=list(BASELINES),
        help='which baselines to (re)compute; the others are copied from '
        '--out if it has them')
    parser.add_argument(
        '--only-baselines',
        action='store_true',
        help='only the baselines; the DFAD seeds are read from --out')
    args = parser.parse_args()
    os.chdir(REPO)
    setup = SETUPS[args.dataset]
    out = args.out or osp.join('results', f'{args.dataset}_dfad.json')
    work_root = osp.join(args.work_dir, args.dataset)

    if not osp.isfile(osp.join(setup['data_root'], 'manifest.json')):
        preparation = importlib.import_module(
            f"mmrazor_dfad.datasets.preparation.{setup['prepare']}")
        preparation.main(['--out', setup['data_root']])
    from mmrazor_dfad.apis.distill import distill_and_report

    previous = load_results(out) if osp.isfile(out) else None
    if args.only_baselines:
        args.seeds = [run.seed for run in previous.runs]
    runs = []
    for seed in ([] if args.only_baselines else args.seeds):
        print(f'== DFAD {args.dataset}, seed {seed}')
        runs.append(
            distill_and_report(setup['config'],
                               osp.join(work_root, f'seed{seed}'), seed))
    baselines = {
        name: metrics['student_top1']
        for name, metrics in (previous.baselines if previous else {}).items()
    }
    if not args.skip_baselines:
        if 'frozen' in args.baselines:
            print('== baseline: DFAD with a frozen generator')
            frozen = distill_and_report(
                setup['config'], osp.join(work_root, 'frozen_generator'),
                args.seeds[0], ['optim_wrapper.generator.optimizer.lr=0.0'])
            baselines[BASELINES['frozen']] = frozen['student_top1_final']
        if 'supervised' in args.baselines:
            print('== baseline: supervised student')
            baselines[BASELINES['supervised']] = train_baseline(
                setup['supervised'], osp.join(work_root, 'supervised'))['top1']
        if 'kd' in args.baselines:
            print('== baseline: KD on real training images')
            baselines[BASELINES['kd']] = train_baseline(
                setup['kd'], osp.join(work_root, 'kd_real_data'))['top1']
        baselines = {
            name: baselines[name]
            for name in BASELINES.values() if name in baselines
        }
    if args.only_baselines:
        results = previous
    else:
        fresh = ResultsFile(
            name=osp.splitext(osp.basename(out))[0],
            description='DFAD over seeds on the real test split, read once '
            'at the final iteration (validations on the validation split '
            'held out from the training images), and the baselines, same '
            'student, tested once at their end: (a) supervised on the real '
            'training split, (b) KD on the real training images, (c) DFAD '
            'with the generator never updated. Written by '
            '.dev_scripts/benchmark_dfad.py.',
            dataset=setup['title'],
            runs=[
                RunRecord(
                    variant='plain-dfad',
                    description='DFAD as configured (no training data), '
                    'final iteration',
                    config=setup['config'],
                    seed=seed,
                    # The commit, threads and machine it started with.
                    **provenance(work_dir=osp.join(work_root, f'seed{seed}')),
                    # metrics: the test split, read once at the end.
                    split=run['split'],
                    date=time.strftime('%Y-%m-%d'),
                    command='python .dev_scripts/benchmark_dfad.py '
                    f'{args.dataset}',
                    metrics=dict(
                        student_top1=run['student_top1_final'],
                        agreement=run['agreement']),
                    wall_time_s=run['wall_time_s'],
                    teacher_metrics=dict(teacher_top1=run['teacher_top1']),
                    extra=dict(
                        best_val_selected=dict(
                            student_top1=run['student_val_top1_best']),
                        validations_split=run['val_split'],
                        iterations=run['iterations'],
                        num_test_images=run['num_test_images'],
                        num_val_images=run['num_val_images']))
                for seed, run in zip(args.seeds, runs)
            ])
        # Earlier runs stay; the new ones are recorded beside them.
        results = previous or fresh
        results.description = fresh.description
        results.add_runs('plain-dfad', fresh.runs)
    results.baselines = {
        name: dict(student_top1=top1)
        for name, top1 in baselines.items()
    }
    # Every baseline is its run's one test at its end.
    results.extra['baselines_split'] = 'test'
    write_results(out, results)


def write_results(out: str, results: ResultsFile) -> None:
    """Write the results file, then regenerate every table from
    results/."""
    dump_results(results, out)
    print(f'wrote {out}')
    subprocess.run([
        sys.executable,
        osp.join(REPO, '.dev_scripts', 'update_model_zoo.py')
    ],
                   check=True)


if __name__ == '__main__':
    main()
