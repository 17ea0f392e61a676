# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The results tables, one function per kind of record; each returns the
markdown that goes between a page's ``<!-- NAME-begin/end -->`` markers.
Each takes its runs through :func:`common.variant_runs` (every run of the
variant's configs and seeds, in any results file) and marks legacy ones."""
import importlib.util
import os.path as osp
import statistics
from typing import Dict, List, Optional, Sequence

from . import common
from .common import (FREEZE, PAPERS, REPO, TEACHERS, THROUGHOUT,
                     THROUGHOUT_TITLE, by_provenance, config_cell, fmt, link,
                     mark, per_seed, spread, table, title, with_note)
from run_records import RunRecord, summarize


def dfad_table(dataset: str) -> str:
    """The benchmark table of one dataset: the shipped DFAD config (the
    generator-freeze recipe) over every run, the paper's plain DFAD
    (generator trained throughout; not measured yet until recorded) and
    the baselines."""
    name, base = f'{dataset}_dfad', 'configs/dfad'
    results = common.load(name)
    first, weights = results.runs[0], TEACHERS[dataset][1]
    files = (f"{link('weights', weights, base)} · "
             f"{link('log', weights[:-4] + '.log', base)}")
    teacher = f"LeNet-5 ({first.teacher_metrics['teacher_top1']:.2f})"
    rows, shown = [], []
    for method, runs in ((FREEZE, common.variant_runs(name, 'plain-dfad')),
                         (THROUGHOUT_TITLE,
                          common.variant_runs(f'{dataset}_recipes',
                                              THROUGHOUT))):
        if not runs:
            rows.append([
                method, teacher, 'LeNet-5-half',
                common.not_measured(dataset, base)
            ] + ['-'] * 6 + [files])
            continue
        for group, legacy in by_provenance(runs):
            stats, flag = summarize(group), mark(group)
            shown += group
            best = [_best(run) for run in group]
            agreement = [
                run.metrics['agreement'] for run in group
                if 'agreement' in run.metrics
            ]
            rows.append([
                method + flag, teacher, 'LeNet-5-half',
                per_seed(group), f'{spread(stats.finals)}{flag}',
                f'{stats.ratio:.3f}', ', '.join(best),
                fmt(statistics.mean(agreement) if agreement else None),
                f'{common.minutes(group)} min',
                link('config', group[0].config, base), files
            ])
    return '\n\n'.join([
        with_note(
            table(
                'method | Teacher (top-1) | Student | final top-1 per seed '
                '(every run) | mean +- std | ratio to teacher | best '
                'validation during training (per run) | agreement | time / '
                'run | config | teacher weights', 'l' + 'c' * 10, rows),
            shown),
        table('Baseline (same student) | top-1', 'lc',
              [[name_, f"{metrics['student_top1']:.2f}"]
               for name_, metrics in results.baselines.items()]),
        f'Measured on {first.machine} with `{first.command}` '
        f"({first.date}), {first.extra['iterations']} iterations, "
        f"{first.extra['num_test_images']} test images (the runs of "
        f'results/{name}.json; a row also counts every other recorded run '
        'of its config and seeds).'
    ])


def _best(run: RunRecord) -> str:
    """The best validation of a run: selected on the validation split, or
    (legacy runs) on the test split, ``(test)``; ``-`` if not recorded."""
    for key, where in (('best_val_selected', ''), ('best_test_selected',
                                                   ' (test)')):
        if 'student_top1' in run.extra.get(key, {}):
            return fmt(run.extra[key]['student_top1']) + where
    return '-'


def _reached(run: RunRecord, ratio: str) -> str:
    """``minutes (iteration)`` when the run first reached ``ratio`` of the
    teacher, ``never``, or ``-`` when the record does not say."""
    hit = run.extra.get('time_to_ratio', {}).get(ratio)
    if hit is None:
        return '-'
    return 'never' if hit['iteration'] is None else \
        f"{fmt(hit['minutes'], 1)} ({hit['iteration']})"


def recipes_table(name: str,
                  base: str,
                  ratios: Sequence[str] = ('0.90', '0.95'),
                  names: Optional[Sequence[str]] = None) -> str:
    """The variants (only ``names`` if given) of a record of
    ``benchmark_recipe.py``: final top-1 of every run, ratio, minutes, and
    minutes (iterations) to ``ratios`` of the teacher; links from
    ``base``."""
    rows, shown = [], []
    for variant in common.load(name).variants():
        if names is not None and variant not in names:
            continue
        for group, legacy in by_provenance(common.variant_runs(name, variant)):
            stats, flag = summarize(group), mark(group)
            shown += group
            times = ', '.join(' / '.join(
                _reached(run, ratio) for ratio in ratios)
                              for run in stats.runs)
            machines = '; '.join(
                dict.fromkeys(run.machine or 'not recorded' for run in group))
            rows.append([
                title(variant) + flag,
                config_cell(group[0], base),
                per_seed(group), f'{spread(stats.finals)}{flag}',
                f'{stats.ratio:.3f}',
                worst_seed(stats.runs),
                common.minutes(group), times, machines
            ])
    return with_note(
        table(
            'recipe | config (and overrides) | final top-1 per seed (every '
            'run) | mean +- std | ratio to teacher | worst run (ratio) | '
            'minutes per run | minutes (iterations) to '
            f"{' / '.join(ratios)} of the teacher | measured on", 'llccccccl',
            rows), shown)


def worst_seed(runs: List[RunRecord]) -> str:
    """``final (ratio)`` of the finished run with the lowest final."""
    worst = min(runs, key=lambda run: run.final())
    teacher = next(run.teacher_metrics['teacher_top1'] for run in runs
                   if 'teacher_top1' in run.teacher_metrics)
    return f'{worst.final():.2f} ({worst.final() / teacher:.3f})'


def time_to_target_table(name: str, base: str, baseline: str,
                         ratio: str) -> str:
    """Minutes (iterations) until each variant first reached ``ratio`` of
    the teacher, per run, and its mean relative to ``baseline``'s; links
    from ``base``. Only the time to the target is read from the runs."""

    def hit(run: RunRecord) -> Optional[dict]:
        return run.extra.get('time_to_ratio', {}).get(ratio)

    def cell(run: RunRecord) -> Optional[str]:
        if hit(run) is None:
            return None
        return 'never' if hit(run)['minutes'] is None else \
            f"{hit(run)['minutes']:.1f} ({hit(run)['iteration']}, seed " \
            f'{run.seed})'

    def mean_minutes(runs: List[RunRecord]) -> Optional[float]:
        values = [hit(run)['minutes'] for run in runs if hit(run)]
        return None if not values or None in values else \
            statistics.mean(values)

    rows, shown, reference = [], [], None
    for variant in common.load(name).variants():
        runs = common.variant_runs(name, variant, token=cell)
        for group, legacy in by_provenance(runs):
            shown += group
            mean = mean_minutes(group)
            if variant == baseline and reference is None:
                reference = mean
            relative = '-' if mean is None or not reference else \
                f'{mean / reference:.2f}'
            last = sorted(
                {run.validations[-1][0]
                 for run in group if run.validations})
            rows.append([
                title(variant) + mark(group),
                config_cell(group[0], base),
                ', '.join(cell(run) or '-' for run in group),
                fmt(mean, 1), relative, ', '.join(map(str, last)), '; '.join(
                    dict.fromkeys(run.machine or 'not recorded'
                                  for run in group))
            ])
    return with_note(
        table(
            f'recipe | config (and overrides) | minutes (iterations) to '
            f'{ratio} of the teacher, per run | mean minutes | relative to '
            f'{title(baseline)} | iterations run | measured on', 'llccccl',
            rows), shown)


def ablation_table(name: str, dfad: str) -> str:
    """The full recipe (the variants ``full recipe...``), then one component
    removed at a time, then the shipped DFAD config (the freeze recipe,
    record ``dfad``) and the baselines: final top-1 and the difference to
    the mean of all full-recipe runs."""
    results, plain = common.load(name), common.load(dfad)
    groups = sorted(  # the full recipe first
        ((variant, common.variant_runs(name, variant))
         for variant in results.variants()),
        key=lambda item: not item[0].startswith('full recipe'))
    full = [
        top1 for key, runs in groups if key.startswith('full recipe')
        for top1 in summarize(runs).finals
    ]
    reference, rows, shown = statistics.mean(full), [], []
    for key, runs in groups + [(FREEZE, common.variant_runs(
            dfad, 'plain-dfad'))]:
        for group, legacy in by_provenance(runs):
            mean, flag = summarize(group).mean, mark(group)
            shown += group
            change = link('its config', group[0].config, 'docs') \
                if key == FREEZE else config_cell(group[0], None)
            rows.append([
                key + flag, change,
                per_seed(group), f'{mean:.2f}{flag}',
                f'{mean - reference:+.2f}'
            ])
    rows += [[
        f'baseline {key}', '-', '-', f"{metrics['student_top1']:.2f}", '-'
    ] for key, metrics in plain.baselines.items()]
    machines = '; '.join(
        sorted({run.machine or 'not recorded'
                for run in results.runs}))
    return with_note(
        table(
            'row | change to the full recipe | final top-1 per seed (every '
            'run) | mean | difference to the mean of all full-recipe runs',
            'llccc', rows) +
        (f'\n\nAll {len(full)} full-recipe runs: mean {reference:.2f}, '
         f'std {statistics.stdev(full):.2f}, range {min(full):.2f}-'
         f'{max(full):.2f}. Measured on: {machines}.'), shown)


def _final_cell(run: RunRecord) -> str:
    """A run's final top-1; its last validation if it was stopped."""
    if run.final() is not None:
        return fmt(run.final())
    if 'diverged_at_iteration' in run.extra:
        return ('diverged at iteration '
                f"{run.extra['diverged_at_iteration']}")
    if run.validations:
        step, metrics = run.validations[-1]
        return f"{metrics['student_top1']:.2f} at {step} (stopped)"
    return '-'


def exploration_table(name: str) -> str:
    """Every variant of an exploration record, one row each (a variant of
    several runs lists their final top-1)."""
    rows, shown = [], []
    for variant in common.load(name).variants():
        for runs, legacy in by_provenance(common.variant_runs(name, variant)):
            shown += runs
            run, best, seed = runs[0], '-', '-'
            final = ', '.join(_final_cell(item) for item in runs)
            if len(runs) == 1:
                best = _best(run)
                seed = '-' if run.seed is None else run.seed
            rows.append(
                [variant + mark(runs), run.description, seed, final, best])
    return with_note(
        table(
            'run | what changed | seed | final top-1 | best validation '
            'during training', 'llccc', rows), shown)


def family_results(dataset: str, algorithm: str) -> str:
    """An algorithm's recipe table on ``dataset`` for its model-zoo page."""
    return recipes_table(
        f'{dataset}_family', PAPERS[algorithm][0], names=[algorithm])


def label_free_tables() -> str:
    """The label-free selection tables, rendered by the script that
    writes ``results/label_free_selection.json``, and the other recorded
    runs of the same configs and seeds (not analysed: their signals were
    not logged)."""
    path = osp.join(REPO, '.dev_scripts', 'label_free_selection.py')
    spec = importlib.util.spec_from_file_location('label_free_selection', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = common.load('label_free_selection')
    text = module.tables(results).rstrip('\n')
    others: Dict[str, List[RunRecord]] = {}
    for variant in results.variants():
        for run in common.variant_runs('label_free_selection', variant):
            if not any(run == own for own in results.runs):
                others.setdefault(run.config or '-', []).append(run)
    if others:
        text += '\n\nOther recorded runs of these configs and seeds (not ' \
            'analysed here: no label-free signals logged): ' + '; '.join(
                f'`{osp.basename(config)}` {per_seed(runs)}'
                for config, runs in others.items()) + '.'
    return with_note(text, results.runs)


def demo_table(name: str = 'mnist_demo') -> str:
    """The runs of ``make demo``: final top-1 and ratio, where and why
    training stopped, wall time and the CPU share the run got."""
    rows, shown = [], []
    for variant in common.load(name).variants():
        for run in common.variant_runs(name, variant):
            shown.append(run)
            stop = run.extra.get('stop', {})
            teacher = run.teacher_metrics['teacher_top1']
            rows.append([
                run.variant + mark([run]), run.seed,
                fmt(run.final()),
                fmt(run.final() / teacher, 4),
                f"{stop.get('iteration', '-')} ({stop.get('reason', '-')})",
                fmt(run.wall_time_s / 60,
                    1), f"{run.extra.get('percent_cpu', '-')} %"
            ])
    return with_note(
        table(
            'run | seed | final top-1 | / teacher | stopped at (why) | '
            'minutes (whole command) | CPU share', 'lcccccc', rows), shown)
