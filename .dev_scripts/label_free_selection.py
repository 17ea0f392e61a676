# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Label-free signals vs real accuracy over recorded DFAD runs.

    python .dev_scripts/label_free_selection.py \
        --runs mnist=DIR[,DIR...] fashion_mnist=DIR[,DIR...] \
        [--score label_free/agreement] \
        [--out results/label_free_selection.json] \
        [--doc docs/label_free_evaluation.md]

For every run (a work dir whose validations logged ``accuracy/top1`` and
``label_free*/*``): the Spearman rank correlation of each label-free signal
with the real student top-1 over the validation points, and the real top-1
of (a) the final validation, (b) the validation the signal selects (as
``CheckpointHook(save_best=..., rule=...)`` would) and (c) the best one.
Writes the JSON, then regenerates the tables of the doc between its
``<!-- label-free-selection-begin/end -->`` markers from the JSON.
"""
import argparse
import json
import os.path as osp
import re
import statistics

from mmrazor_dfad.evaluation import read_validations, summarize_run

PREFIXES = ['label_free', 'label_free_mix', 'label_free_z2']
TITLES = dict(mnist='MNIST', fashion_mnist='Fashion-MNIST')


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def analyse(runs_by_dataset, score):
    datasets = {}
    for dataset, work_dirs in runs_by_dataset.items():
        runs = []
        for work_dir in work_dirs:
            rows = read_validations(work_dir)
            summary = summarize_run(rows, PREFIXES)
            summary['work_dir'] = osp.basename(osp.normpath(work_dir))
            runs.append(summary)
        signals = {}
        for key in runs[0]['signals']:
            per_run = [run['signals'].get(key) for run in runs]
            if any(item is None for item in per_run):
                continue
            signals[key] = dict(
                rule=per_run[0]['rule'],
                spearman=[item['spearman'] for item in per_run],
                spearman_mean=mean([item['spearman'] for item in per_run]),
                selected_top1=[item['selected_top1'] for item in per_run],
                selected_top1_mean=mean(
                    [item['selected_top1'] for item in per_run]),
                selected_minus_final=[
                    item['selected_top1'] - run['final_top1']
                    for item, run in zip(per_run, runs)
                ],
                best_minus_selected=[
                    run['best_top1'] - item['selected_top1']
                    for item, run in zip(per_run, runs)
                ])
        datasets[dataset] = dict(
            runs=runs,
            final_top1_mean=mean([run['final_top1'] for run in runs]),
            best_top1_mean=mean([run['best_top1'] for run in runs]),
            signals=signals)
    return dict(
        score=score,
        description=(
            'Spearman rank correlation of each label-free signal with the '
            'real student top-1 over the validation points of each run, '
            'and the real top-1 of (a) the final validation, (b) the '
            'validation selected by the signal, (c) the best validation.'),
        datasets=datasets)


def fmt(value, digits=2):
    return '-' if value is None else f'{value:.{digits}f}'


def tables(results):
    score = results['score']
    lines = [
        f'Selection by `{score}` (the configs\' score), real top-1 of the '
        'student:', '',
        '| dataset | seed (run) | validations | (a) final | (b) selected '
        '(iter) | (c) best (iter) | (b) - (a) | (c) - (b) | early stop at '
        '(kept top-1) |',
        '| :-- | :-- | :-: | :-: | :-: | :-: | :-: | :-: | :-: |'
    ]
    for dataset, data in results['datasets'].items():
        for run in data['runs']:
            chosen = run['signals'][score]
            lines.append(
                f"| {TITLES.get(dataset, dataset)} | {run['work_dir']} | "
                f"{run['num_validations']} | {fmt(run['final_top1'])} | "
                f"{fmt(chosen['selected_top1'])} ({chosen['selected_step']}) "
                f"| {fmt(run['best_top1'])} ({run['best_step']}) | "
                f"{fmt(chosen['selected_top1'] - run['final_top1'])} | "
                f"{fmt(run['best_top1'] - chosen['selected_top1'])} | "
                f"{chosen['early_stop_step'] or 'no stop'} "
                f"({fmt(chosen['early_stop_selected_top1'])}) |")
        signal = data['signals'][score]
        lines.append(f"| {TITLES.get(dataset, dataset)} | **mean** | | "
                     f"{fmt(data['final_top1_mean'])} | "
                     f"{fmt(signal['selected_top1_mean'])} | "
                     f"{fmt(data['best_top1_mean'])} | "
                     f"{fmt(mean(signal['selected_minus_final']))} | "
                     f"{fmt(mean(signal['best_minus_selected']))} | |")
    lines.append('')
    for dataset, data in results['datasets'].items():
        signal = data['signals'][score]
        gap = mean(signal['best_minus_selected'])
        worst = min(signal['selected_minus_final'])
        lines.append(
            f"- {TITLES.get(dataset, dataset)} ({len(data['runs'])} run"
            f"{'s' if len(data['runs']) != 1 else ''}): (b) is "
            f'{fmt(gap)} points below (c) on average (target: within 1: '
            f"{'met' if gap <= 1.0 else 'not met'}); (b) - (a) in the worst "
            f'run: {worst:+.2f} (target: never below -0.5: '
            f"{'met' if worst >= -0.5 else 'not met'}).")
    for note in results.get('notes', []):
        lines.append(f'- Note: {note}')
    names = list(results['datasets'])
    lines += [
        '', 'Every signal: Spearman correlation with real top-1 (mean over '
        'runs, per run in brackets) and the mean real top-1 it selects:', '',
        '| signal | rule | ' +
        ' | '.join(f'{TITLES.get(n, n)} Spearman | {TITLES.get(n, n)} (b) mean'
                   for n in names) + ' |',
        '| :-- | :-: | ' + ' | '.join(':-: | :-:' for _ in names) + ' |'
    ]
    keys = list(results['datasets'][names[0]]['signals'])
    for key in keys:
        cells = []
        for name in names:
            signal = results['datasets'][name]['signals'].get(key)
            if signal is None:
                cells += ['-', '-']
                continue
            per_run = ', '.join(fmt(v) for v in signal['spearman'])
            cells += [
                f"{fmt(signal['spearman_mean'])} ({per_run})",
                fmt(signal['selected_top1_mean'])
            ]
        rule = results['datasets'][names[0]]['signals'][key]['rule']
        lines.append(f'| `{key}` | {rule} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--runs',
        nargs='+',
        required=True,
        help='DATASET=WORK_DIR[,WORK_DIR...]')
    parser.add_argument('--score', default='label_free/agreement')
    parser.add_argument('--out', default='results/label_free_selection.json')
    parser.add_argument('--doc', default='docs/label_free_evaluation.md')
    parser.add_argument(
        '--note',
        nargs='*',
        default=[],
        help='caveats stored in the JSON and the doc')
    args = parser.parse_args()
    runs = {}
    for item in args.runs:
        dataset, dirs = item.split('=', 1)
        runs[dataset] = dirs.split(',')
    results = analyse(runs, args.score)
    results['notes'] = args.note
    results['command'] = ('python .dev_scripts/label_free_selection.py '
                          '--runs ' + ' '.join(args.runs) +
                          f' --score {args.score}')
    with open(args.out, 'w') as file:
        json.dump(results, file, indent=2)
    if args.doc and osp.isfile(args.doc):
        with open(args.doc) as file:
            text = file.read()
        begin, end = ('<!-- label-free-selection-begin -->',
                      '<!-- label-free-selection-end -->')
        text = re.sub(
            re.escape(begin) + '.*?' + re.escape(end),
            lambda _: f'{begin}\n{tables(results)}{end}',
            text,
            flags=re.S)
        with open(args.doc, 'w') as file:
            file.write(text)
    print(tables(results))


if __name__ == '__main__':
    main()
