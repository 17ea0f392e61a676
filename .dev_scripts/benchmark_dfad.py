# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Regenerate a results table: DFAD over seeds plus the baselines.

    python .dev_scripts/benchmark_dfad.py mnist [--seeds 0 1 2]
    python .dev_scripts/benchmark_dfad.py fashion_mnist

For each seed it trains the DFAD config (no training data) and reports the
student's top-1 on the real test split at the **final** iteration (and,
labelled as such, the best over the periodic validations). Baselines, same
student: (a) supervised on the real training split, (b) KD from the teacher
on the real training split (same L1-on-logits loss, no labels), (c) DFAD
with the generator never updated (its learning rate set to 0). Writes
``results/<dataset>_dfad.json``, then regenerates the tables from it
(``update_model_zoo.py``).
"""
import argparse
import importlib
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time

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


def final_val_top1(work_dir: str) -> float:
    from mmrazor_dfad.visualization import read_scalars
    vals = [
        r['accuracy/top1'] for r in read_scalars(work_dir)
        if 'accuracy/top1' in r
    ]
    return vals[-1]


def train_baseline(config: str, work_dir: str) -> dict:
    from mmrazor_dfad.apis import train_main
    start = time.time()
    train_main([osp.join(REPO, config), '--work-dir', work_dir])
    return dict(
        top1=final_val_top1(work_dir),
        wall_time_s=time.time() - start,
        config=config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
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

    if args.only_baselines:
        with open(out) as file:
            previous = json.load(file)
        args.seeds = previous['seeds']
    runs = []
    for seed in ([] if args.only_baselines else args.seeds):
        print(f'== DFAD {args.dataset}, seed {seed}')
        runs.append(
            distill_and_report(setup['config'],
                               osp.join(work_root, f'seed{seed}'), seed))
    baselines = {}
    if osp.isfile(out):
        with open(out) as file:
            baselines = json.load(file).get('baselines', {})
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
        previous['baselines'] = baselines
        write_results(out, args.dataset, previous)
        return

    finals = [run['student_top1_final'] for run in runs]
    results = dict(
        dataset=setup['title'],
        config=setup['config'],
        seeds=args.seeds,
        teacher_top1=runs[0]['teacher_top1'],
        student_top1_final=finals,
        student_top1_best=[run['student_top1_best'] for run in runs],
        ratio_per_seed=[run['ratio'] for run in runs],
        ratio_mean=statistics.mean(finals) / runs[0]['teacher_top1'],
        agreement=[run['agreement'] for run in runs],
        wall_time_s=[run['wall_time_s'] for run in runs],
        iterations=runs[0]['iterations'],
        num_test_images=runs[0]['num_test_images'],
        baselines=baselines,
        command='python .dev_scripts/benchmark_dfad.py '
        f'{args.dataset}',
        machine=f'{os.cpu_count()} CPU cores, '
        f'{platform.processor() or platform.machine()}',
        date=time.strftime('%Y-%m-%d'))
    write_results(out, args.dataset, results)


def write_results(out: str, dataset: str, results: dict) -> None:
    """Write the JSON, then regenerate every table from the JSON files."""
    os.makedirs(osp.dirname(out) or '.', exist_ok=True)
    with open(out, 'w') as file:
        json.dump(results, file, indent=2)
    print(f'wrote {out}')
    subprocess.run([
        sys.executable,
        osp.join(REPO, '.dev_scripts', 'update_model_zoo.py')
    ],
                   check=True)


if __name__ == '__main__':
    main()
