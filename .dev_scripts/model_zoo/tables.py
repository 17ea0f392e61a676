# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The results tables, one function per kind of record; each returns the
markdown that goes between a page's ``<!-- NAME-begin/end -->`` markers."""
import importlib.util
import os.path as osp
import statistics
from typing import List, Optional, Sequence

from mmrazor_dfad.utils.run_records import RunRecord, summarize
from . import common
from .common import (PAPERS, REPO, TEACHERS, config_cell, fmt, link, per_seed,
                     spread, table)


def dfad_table(dataset: str) -> str:
    """The benchmark table of one dataset: DFAD over seeds and baselines."""
    results = common.load(f'{dataset}_dfad')
    runs, first, weights = results.runs, results.runs[0], TEACHERS[dataset][1]
    stats, base = summarize(runs), 'configs/dfad'
    best = [run.extra['best_test_selected']['student_top1'] for run in runs]
    agreement = statistics.mean(run.metrics['agreement'] for run in runs)
    files = (f"{link('weights', weights, base)} · "
             f"{link('log', weights[:-4] + '.log', base)}")
    row = [
        f"LeNet-5 ({first.teacher_metrics['teacher_top1']:.2f})",
        'LeNet-5-half',
        per_seed(runs),
        spread(stats.finals), f'{stats.ratio:.3f}', ', '.join(map(fmt, best)),
        f'{agreement:.2f}', f'{stats.minutes:.1f} min',
        link('config', first.config, base), files
    ]
    return '\n\n'.join([
        table(
            'Teacher (top-1) | Student | final top-1 per seed | mean +- std '
            '| ratio to teacher | best during training, test-selected (per '
            'seed) | agreement | time / run | config | teacher weights',
            'c' * 10, [row]),
        table('Baseline (same student) | top-1', 'lc',
              [[name, f"{metrics['student_top1']:.2f}"]
               for name, metrics in results.baselines.items()]),
        f'Measured on {first.machine} with `{first.command}` '
        f"({first.date}), {first.extra['iterations']} iterations, "
        f"{first.extra['num_test_images']} test images."
    ])


def recipes_table(name: str,
                  base: str,
                  ratios: Sequence[str] = ('0.90', '0.95'),
                  names: Optional[Sequence[str]] = None) -> str:
    """The variants (only ``names`` if given) of a record of
    ``benchmark_recipe.py``: final top-1, ratio, minutes, and minutes
    (iterations) to ``ratios`` of the teacher; links from ``base``."""

    def reached(run: RunRecord, ratio: str) -> str:
        hit = run.extra['time_to_ratio'][ratio]
        return 'never' if hit['iteration'] is None else \
            f"{fmt(hit['minutes'], 1)} ({hit['iteration']})"

    rows = []
    for variant, runs in common.load(name).variants().items():
        if names is not None and variant not in names:
            continue
        stats = summarize(runs)
        wall = [run.wall_time_s / 60 for run in stats.runs]
        times = ', '.join(' / '.join(reached(run, ratio) for ratio in ratios)
                          for run in stats.runs)
        rows.append([
            variant,
            config_cell(runs[0], base),
            per_seed(runs),
            spread(stats.finals), f'{stats.ratio:.3f}',
            worst_seed(stats.runs), f'{min(wall):.1f}-{max(wall):.1f}', times,
            runs[0].machine
        ])
    return table(
        'recipe | config (and overrides) | final top-1 per seed | mean +- '
        'std | ratio to teacher | worst seed (ratio) | minutes per run | '
        f"minutes (iterations) to {' / '.join(ratios)} of the teacher | "
        'measured on', 'llccccccl', rows)


def worst_seed(runs: List[RunRecord]) -> str:
    """``final (ratio)`` of the finished run with the lowest final."""
    worst = min(runs, key=lambda run: run.final())
    teacher = worst.teacher_metrics['teacher_top1']
    return f'{worst.final():.2f} ({worst.final() / teacher:.3f})'


def time_to_target_table(name: str, base: str, baseline: str,
                         ratio: str) -> str:
    """Minutes (iterations) until each variant first reached ``ratio`` of
    the teacher, per seed, and its mean relative to ``baseline``'s; links
    from ``base``. Only the time to the target is read from the runs."""
    groups = common.load(name).variants()

    def hit(run: RunRecord) -> dict:
        return run.extra['time_to_ratio'][ratio]

    def mean_minutes(runs: List[RunRecord]) -> Optional[float]:
        values = [hit(run)['minutes'] for run in runs]
        return None if None in values else statistics.mean(values)

    reference, rows = mean_minutes(groups[baseline]), []
    for variant, runs in groups.items():
        cells = ', '.join(
            'never' if hit(run)['minutes'] is None else
            f"{hit(run)['minutes']:.1f} ({hit(run)['iteration']}, seed "
            f'{run.seed})' for run in runs)
        mean = mean_minutes(runs)
        relative = '-' if mean is None or not reference else \
            f'{mean / reference:.2f}'
        last = sorted({run.validations[-1][0] for run in runs})
        rows.append([
            variant,
            config_cell(runs[0], base), cells,
            fmt(mean, 1), relative, ', '.join(map(str, last)), runs[0].machine
        ])
    return table(
        f'recipe | config (and overrides) | minutes (iterations) to {ratio} '
        'of the teacher, per seed | mean minutes | relative to '
        f'{baseline} | iterations run | measured on', 'llccccl', rows)


def ablation_table(name: str, dfad: str) -> str:
    """The full recipe (the variants ``full recipe...``), then one component
    removed at a time, then plain DFAD and the baselines (record ``dfad``):
    final top-1 and the difference to the mean of all full-recipe runs."""
    results, plain = common.load(name), common.load(dfad)
    groups = sorted(  # the full recipe first
        results.variants().items(),
        key=lambda item: not item[0].startswith('full recipe'))
    full = [
        top1 for key, runs in groups if key.startswith('full recipe')
        for top1 in summarize(runs).finals
    ]
    reference, rows = statistics.mean(full), []
    for key, runs in groups + [('plain DFAD', plain.runs)]:
        mean = summarize(runs).mean
        change = link('its config', runs[0].config, 'docs') \
            if runs is plain.runs else config_cell(runs[0], None)
        rows.append([
            key, change,
            per_seed(runs), f'{mean:.2f}', f'{mean - reference:+.2f}'
        ])
    rows += [[
        f'baseline {key}', '-', '-', f"{metrics['student_top1']:.2f}", '-'
    ] for key, metrics in plain.baselines.items()]
    machines = '; '.join(sorted({run.machine for run in results.runs}))
    return table(
        'row | change to the full recipe | final top-1 per seed | mean | '
        'difference to the mean of all full-recipe runs', 'llccc', rows) + (
            f'\n\nAll {len(full)} full-recipe runs: mean {reference:.2f}, '
            f'std {statistics.stdev(full):.2f}, range {min(full):.2f}-'
            f'{max(full):.2f}. Measured on: {machines}.')


def exploration_table(name: str) -> str:
    """Every variant of an exploration record, one row each (a variant of
    several seeds lists their final top-1)."""
    rows = []
    for variant, runs in common.load(name).variants().items():
        run, best, seed = runs[0], None, '-'
        if len(runs) > 1:
            final = ', '.join(fmt(item.final()) for item in runs)
        elif run.final() is None and run.validations:
            step, metrics = run.validations[-1]
            final = f"{metrics['student_top1']:.2f} at {step} (stopped)"
        else:
            final = fmt(run.final())
        if len(runs) == 1:
            best = run.extra.get('best_test_selected', {}).get('student_top1')
            seed = '-' if run.seed is None else run.seed
        rows.append([variant, run.description, seed, final, fmt(best)])
    return table(
        'run | what changed | seed | final top-1 | best during training '
        '(test-selected)', 'llccc', rows)


def family_results(dataset: str, algorithm: str) -> str:
    """An algorithm's recipe table on ``dataset`` for its model-zoo page."""
    return recipes_table(
        f'{dataset}_family', PAPERS[algorithm][0], names=[algorithm])


def label_free_tables() -> str:
    """The label-free selection tables, rendered by the script that
    writes ``results/label_free_selection.json``."""
    path = osp.join(REPO, '.dev_scripts', 'label_free_selection.py')
    spec = importlib.util.spec_from_file_location('label_free_selection', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tables(common.load('label_free_selection')).rstrip('\n')


def demo_table(name: str = 'mnist_demo') -> str:
    """The runs of ``make demo``: final top-1 and ratio, where and why
    training stopped, wall time and the CPU share the run got."""
    rows = []
    for run in common.load(name).runs:
        stop = run.extra.get('stop', {})
        teacher = run.teacher_metrics['teacher_top1']
        rows.append([
            run.variant, run.seed,
            fmt(run.final()),
            fmt(run.final() / teacher, 4),
            f"{stop.get('iteration', '-')} ({stop.get('reason', '-')})",
            fmt(run.wall_time_s / 60,
                1), f"{run.extra.get('percent_cpu', '-')} %"
        ])
    return table(
        'run | seed | final top-1 | / teacher | stopped at (why) | '
        'minutes (whole command) | CPU share', 'lcccccc', rows)
