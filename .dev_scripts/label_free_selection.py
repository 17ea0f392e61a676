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
Every real top-1 here is a validation's (the validation split, held out
from the training images): the records carry ``split: 'val'``; runs made
before that split existed validated on the test split.
Writes the JSON, then regenerates the tables of the doc between its
``<!-- label-free-selection-begin/end -->`` markers from the JSON.
"""
import argparse
import glob
import os.path as osp
import re
import statistics
from typing import Dict, List, Optional

from run_records import (ResultsFile, RunRecord, dump_results, load_results,
                         provenance)

PREFIXES = ['label_free', 'label_free_mix', 'label_free_z2']
TITLES = dict(mnist='MNIST', fashion_mnist='Fashion-MNIST')
DESCRIPTION = (
    'Spearman rank correlation of each label-free signal with the real '
    'student top-1 over the validation points of each run, and the real '
    'top-1 of (a) the final validation, (b) the validation selected by the '
    'signal, (c) the best validation.')


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def trained_config(work_dir: str) -> Optional[str]:
    """The repository config a run was trained from: the one named like
    the copy MMEngine dumps into its work dir (``None`` if none is)."""
    repo = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for dumped in sorted(glob.glob(osp.join(work_dir, '*.py'))):
        found = sorted(
            glob.glob(
                osp.join(repo, 'configs', '**', osp.basename(dumped)),
                recursive=True))
        if found:
            return osp.relpath(found[0], repo)
    return None


def record(work_dir: str, dataset: str, variant: str, description: str,
           command: str) -> RunRecord:
    """The run record of one work dir: its validations (real top-1), the
    final top-1 and, per label-free signal, what ``summarize_run`` gives
    (``extra['signals']``, in its order)."""
    from mmrazor_dfad.evaluation import read_validations, summarize_run
    summary = summarize_run(read_validations(work_dir), PREFIXES)
    name = osp.basename(osp.normpath(work_dir))
    seed = re.search(r'seed(\d+)$', name)
    return RunRecord(
        variant=variant,
        description=description,
        dataset=TITLES.get(dataset, dataset),
        config=trained_config(work_dir),
        seed=int(seed.group(1)) if seed else None,
        # The commit, threads and machine the run started with.
        **provenance(work_dir=work_dir),
        command=command,
        # The final validation: the validation split, not the test split.
        split='val',
        metrics=dict(student_top1=summary['final_top1']),
        validations=[(step, dict(student_top1=top1))
                     for step, top1 in zip(summary['steps'], summary['top1'])],
        extra=dict(
            work_dir=name,
            signals=[
                dict(name=key, **value)
                for key, value in summary['signals'].items()
            ]))


def best(run: RunRecord) -> tuple:
    """``(top-1, iteration)`` of the first best validation."""
    step, metrics = max(
        run.validations, key=lambda item: item[1]['student_top1'])
    return metrics['student_top1'], step


def by_dataset(results: ResultsFile) -> Dict[str, dict]:
    """Per dataset (in order of appearance): its runs, the means of their
    final and best top-1, and per signal that every run has, the per-run
    Spearman and selected top-1, their means and the differences to the
    final and best top-1."""
    datasets: Dict[str, dict] = {}
    for run in results.runs:
        datasets.setdefault(run.dataset, dict(runs=[]))['runs'].append(run)
    for data in datasets.values():
        runs = data['runs']
        finals = [run.final() for run in runs]
        bests = [best(run)[0] for run in runs]
        data.update(
            final_top1_mean=mean(finals),
            best_top1_mean=mean(bests),
            signals={})
        for key in [item['name'] for item in runs[0].extra['signals']]:
            per_run = [signal(run, key) for run in runs]
            if any(item is None for item in per_run):
                continue
            selected = [item['selected_top1'] for item in per_run]
            data['signals'][key] = dict(
                rule=per_run[0]['rule'],
                spearman=[item['spearman'] for item in per_run],
                spearman_mean=mean([item['spearman'] for item in per_run]),
                selected_top1_mean=mean(selected),
                selected_minus_final=[
                    value - final for value, final in zip(selected, finals)
                ],
                best_minus_selected=[
                    top1 - value for value, top1 in zip(selected, bests)
                ])
    return datasets


def signal(run: RunRecord, key: str) -> Optional[dict]:
    """The summary of signal ``key`` in ``run`` (``None`` if it has none)."""
    return next((item for item in run.extra['signals'] if item['name'] == key),
                None)


def fmt(value, digits=2):
    return '-' if value is None else f'{value:.{digits}f}'


def tables(results: ResultsFile) -> str:
    """The markdown of docs/label_free_evaluation.md's generated part."""
    score = results.extra['score']
    datasets = by_dataset(results)
    lines = [
        f'Selection by `{score}` (the configs\' score), real top-1 of the '
        'student:', '',
        '| dataset | seed (run) | validations | (a) final | (b) selected '
        '(iter) | (c) best (iter) | (b) - (a) | (c) - (b) | early stop at '
        '(kept top-1) |',
        '| :-- | :-- | :-: | :-: | :-: | :-: | :-: | :-: | :-: |'
    ]
    for dataset, data in datasets.items():
        for run in data['runs']:
            chosen, (top1, step) = signal(run, score), best(run)
            lines.append(
                f"| {dataset} | {run.extra['work_dir']} | "
                f'{len(run.validations)} | {fmt(run.final())} | '
                f"{fmt(chosen['selected_top1'])} ({chosen['selected_step']}) "
                f'| {fmt(top1)} ({step}) | '
                f"{fmt(chosen['selected_top1'] - run.final())} | "
                f"{fmt(top1 - chosen['selected_top1'])} | "
                f"{chosen['early_stop_step'] or 'no stop'} "
                f"({fmt(chosen['early_stop_selected_top1'])}) |")
        chosen = data['signals'][score]
        lines.append(f'| {dataset} | **mean** | | '
                     f"{fmt(data['final_top1_mean'])} | "
                     f"{fmt(chosen['selected_top1_mean'])} | "
                     f"{fmt(data['best_top1_mean'])} | "
                     f"{fmt(mean(chosen['selected_minus_final']))} | "
                     f"{fmt(mean(chosen['best_minus_selected']))} | |")
    lines.append('')
    for dataset, data in datasets.items():
        chosen = data['signals'][score]
        gap = mean(chosen['best_minus_selected'])
        worst = min(chosen['selected_minus_final'])
        lines.append(
            f"- {dataset} ({len(data['runs'])} run"
            f"{'s' if len(data['runs']) != 1 else ''}): (b) is "
            f'{fmt(gap)} points below (c) on average (target: within 1: '
            f"{'met' if gap <= 1.0 else 'not met'}); (b) - (a) in the worst "
            f'run: {worst:+.2f} (target: never below -0.5: '
            f"{'met' if worst >= -0.5 else 'not met'}).")
    for note in results.extra.get('notes', []):
        lines.append(f'- Note: {note}')
    names = list(datasets)
    lines += [
        '', 'Every signal: Spearman correlation with real top-1 (mean over '
        'runs, per run in brackets) and the mean real top-1 it selects:', '',
        '| signal | rule | ' + ' | '.join(f'{n} Spearman | {n} (b) mean'
                                          for n in names) + ' |',
        '| :-- | :-: | ' + ' | '.join(':-: | :-:' for _ in names) + ' |'
    ]
    for key, first in datasets[names[0]]['signals'].items():
        cells = []
        for name in names:
            chosen = datasets[name]['signals'].get(key)
            if chosen is None:
                cells += ['-', '-']
                continue
            per_run = ', '.join(fmt(v) for v in chosen['spearman'])
            cells += [
                f"{fmt(chosen['spearman_mean'])} ({per_run})",
                fmt(chosen['selected_top1_mean'])
            ]
        lines.append(f"| `{key}` | {first['rule']} | " + ' | '.join(cells) +
                     ' |')
    return '\n'.join(lines) + '\n'


def main(argv: Optional[List[str]] = None) -> None:
    """Analyse the runs, write the results file and the doc's tables."""
    parser = argparse.ArgumentParser(
        description='Record how well label-free signals select checkpoints '
        'of finished DFAD runs (their logged validations): one run record '
        'per work dir in --out (default results/label_free_selection.json), '
        "then regenerate --doc's tables from it.")
    parser.add_argument(
        '--runs',
        nargs='+',
        required=True,
        help='DATASET=WORK_DIR[,WORK_DIR...]')
    parser.add_argument('--score', default='label_free/agreement')
    parser.add_argument('--out', default='results/label_free_selection.json')
    parser.add_argument('--doc', default='docs/label_free_evaluation.md')
    parser.add_argument(
        '--variant',
        default='plain-dfad',
        help='the variant name of the runs in the record')
    parser.add_argument(
        '--description',
        default='the plain DFAD config, validation every 100 iterations',
        help='what the runs are')
    parser.add_argument(
        '--note',
        nargs='*',
        default=[],
        help='caveats stored in the JSON and the doc')
    args = parser.parse_args(argv)
    command = ('python .dev_scripts/label_free_selection.py --runs ' +
               ' '.join(args.runs) + f' --score {args.score}')
    runs = []
    for item in args.runs:
        dataset, dirs = item.split('=', 1)
        runs += [
            record(work_dir, dataset, args.variant, args.description, command)
            for work_dir in dirs.split(',')
        ]
    results = ResultsFile(
        name=osp.splitext(osp.basename(args.out))[0],
        description=DESCRIPTION,
        runs=runs,
        extra=dict(score=args.score, notes=args.note))
    dump_results(results, args.out)
    results = load_results(args.out)
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
