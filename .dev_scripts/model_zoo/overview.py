# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The overview tables, across records: README.md's summary of both
datasets and of MMRazor's data-free algorithms, and the speed comparisons
(README.md, docs/speed.md)."""
import os.path as osp
from typing import List, Optional

from . import common
from .common import (CIFAR_CONFIG, DATASETS, FAMILY, FREEZE, RECOMMENDED,
                     TEACHERS, THROUGHOUT, THROUGHOUT_TITLE, count, lenet_rows,
                     link, mark, not_measured, spread, table, title, with_note)
from run_records import SpeedRecord, summarize


def _teacher(runs) -> float:
    """The teacher's top-1 the runs were compared with."""
    return next(run.teacher_metrics['teacher_top1'] for run in runs
                if 'teacher_top1' in run.teacher_metrics)


def _with_throughout(dataset: str, pairs: list, mean: bool = True) -> list:
    """``pairs`` with the paper's plain DFAD (generator trained throughout)
    after the freeze recipe (no runs: not measured yet)."""
    throughout = common.variant_runs(
        f'{dataset}_recipes', THROUGHOUT, mean=mean)
    return pairs[:1] + [(THROUGHOUT_TITLE, throughout)] + pairs[1:]


def summary_table() -> str:
    """The README's rows per dataset: the DFAD configs as shipped (the
    generator-freeze recipe), the paper's plain DFAD (generator trained
    throughout) and the recommended recipe; and the CIFAR-10 reference.
    Every run of a row's configs and seeds counts; legacy runs get their
    own, marked row."""
    rows, notes, shown = [], [], []
    for dataset in DATASETS:
        pairs = _with_throughout(
            dataset,
            lenet_rows(dataset, 'recipes', [RECOMMENDED[dataset]], mean=True))
        teacher = _teacher(pairs[0][1])
        name = TEACHERS[dataset][2]
        for method, runs in pairs:
            if not runs:
                rows.append([
                    name, f'LeNet-5 ({teacher:.2f})', 'LeNet-5-half', method,
                    not_measured(dataset, '.'), '-', '-', '-'
                ])
                continue
            for group, legacy in common.by_provenance(runs):
                stats, flag = summarize(group), mark(group)
                shown += group
                rows.append([
                    name, f'LeNet-5 ({teacher:.2f})', 'LeNet-5-half',
                    title(method) + flag,
                    f'{spread(stats.finals)} ({count(group)}){flag}',
                    f'{stats.ratio:.3f}',
                    common.minutes(group),
                    link('config', group[0].config, '.')
                ])
        recipe = pairs[-1]
        machines = '; '.join(
            dict.fromkeys(run.machine or 'not recorded' for run in recipe[1]))
        notes.append(f'{name} {recipe[0]}: {machines}')
    cifar = common.load('cifar10_reference').runs[0]
    rows.append([
        'CIFAR-10', f"ResNet-34 ({cifar.teacher_metrics['teacher_top1']:.2f})",
        'ResNet-18', 'DFAD', 'not measured here '
        f"({cifar.extra['source']}: {cifar.final():.2f})", '-', '-',
        link('config', CIFAR_CONFIG, '.')
    ])
    return with_note(
        table(
            'Dataset | Teacher (top-1) | Student | method | final top-1 '
            '(mean +- std over every run) | ratio | minutes / run (2 CPU '
            'cores) | config', 'c' * 8, rows) +
        f"\n\nHow the recipe rows were run: {'; '.join(notes)}. "
        f'{FREEZE}: the shipped DFAD configs anneal the generator\'s '
        'learning rate to 0 at iteration 300 of 1,200 and stop its updates '
        '(configs/_base_/schedules/dfad_cosine_1200it.py).', shown)


def family_table() -> str:
    """The README's table of MMRazor's three data-free algorithms on both
    datasets: final top-1 over every run, ratio and minutes per run."""
    rows, machines, shown = [], dict(DFAD=set(), family=set()), []
    for dataset in DATASETS:
        pairs = _with_throughout(
            dataset, lenet_rows(dataset, 'family', FAMILY, mean=True))
        teacher = _teacher(pairs[0][1])
        for name, runs in pairs:
            cells = [
                TEACHERS[dataset][2], f'LeNet-5 ({teacher:.2f}) -> '
                'LeNet-5-half'
            ]
            if not runs:
                rows.append(
                    cells +
                    [name, not_measured(dataset, '.'), '-', '-', '-'])
                continue
            machines['family' if name in FAMILY else 'DFAD'].update(
                run.machine or 'not recorded' for run in runs)
            for group, legacy in common.by_provenance(runs):
                stats, flag = summarize(group), mark(group)
                shown += group
                diverged = ''.join(f'; seed {run.seed} diverged at iteration '
                                   f"{run.extra['diverged_at_iteration']}"
                                   for run in group
                                   if 'diverged_at_iteration' in run.extra)
                rows.append(
                    cells +
                    [(name.upper() if name in FAMILY else name) +
                     flag, f'{spread(stats.finals)} ({count(group)}{diverged})'
                     f'{flag}', f'{stats.ratio:.3f}',
                     common.minutes(group),
                     link('config', group[0].config, '.')])
    dfad, family = ('; '.join(sorted(machines[key]))
                    for key in ('DFAD', 'family'))
    return with_note(
        table(
            'Dataset | Teacher (top-1) | algorithm | final top-1 (mean +- '
            'std over every run) | ratio | minutes / run | config', 'c' * 7,
            rows) +
        ('\n\nMinutes compare only runs made the same way. DFAD rows: '
         f'{dfad}. DAFL and ZSKT rows: {family}.'), shown)


# The speed files of the comparison with MMRazor, and the command that
# measures each (docs/speed.md).
SPEED = (('LeNet-5 -> LeNet-5-half MNIST', 'speed_mnist'),
         ('ResNet-34 -> ResNet-18 CIFAR-10', 'speed_cifar10'))
NCHW = 'model.channels_last=False'


def _layout(speed) -> dict:
    """Ours as shipped and ours in MMRazor's memory layout (NCHW: MMRazor
    has no channels_last), from the ``ours+NAME`` variants' overrides: a
    file with an NCHW variant ships channels_last; one with a
    channels_last variant ships NCHW."""
    variants = {
        option: record
        for record in speed.speed if record.contender.startswith('ours+')
        for option in record.cfg_options
    }
    ours = speed.contender('ours')
    if NCHW in variants:
        return dict(shipped='channels_last', nchw=variants[NCHW])
    if 'model.channels_last=True' in variants or \
            NCHW in ours.cfg_options:
        return dict(shipped='NCHW', nchw=ours)
    return dict(shipped='as configured', nchw=None)


def _speed_row(title_: str, layout: str, ours: SpeedRecord,
               bare: Optional[SpeedRecord],
               theirs: List[SpeedRecord]) -> List[str]:
    """One row: seconds per iteration, speed-ups (their seconds over ours)
    and peak memory."""
    s = [item.s_per_iter for item in theirs]
    rss = ' / '.join(
        common.fmt(item.peak_rss_mb if item else None, 0)
        for item in [ours, bare, *theirs])
    flag = mark([ours, *theirs] + ([bare] if bare else []))
    return [
        title_ + flag, layout, f'{ours.s_per_iter:.3f} s',
        f'{bare.s_per_iter:.3f} s' if bare else
        f'not measured in {layout.split()[0]}', f'{s[0]:.3f} / {s[1]:.3f} s',
        f'{bare.s_per_iter / ours.s_per_iter:.2f}' if bare else '-',
        f'{s[0] / ours.s_per_iter:.2f} / {s[1] / ours.s_per_iter:.2f}',
        f'{rss} MB'
    ]


def speed_table() -> str:
    """Seconds per iteration of ours, the bare loop and MMRazor 1.0.0 as
    shipped, and like for like: ours in MMRazor's memory layout (NCHW)."""
    rows, records = [], []
    for name_, name in SPEED:
        speed = common.load(name)
        records += speed.speed
        ours, bare = speed.contender('ours'), speed.contender('bare')
        theirs = [
            speed.contender(contender)
            for contender in ('mmrazor', 'mmrazor_train_step')
        ]
        layout = _layout(speed)
        title_ = f"{name_} ({speed.extra['batch']})"
        rows.append(
            _speed_row(f'{title_}, as shipped', f"{layout['shipped']} / NCHW",
                       ours, bare, theirs))
        nchw = layout['nchw']
        if nchw is ours:
            rows.append(
                _speed_row(f'{title_}, like for like (= as shipped)',
                           'NCHW / NCHW', ours, bare, theirs))
        elif nchw is not None:
            rows.append(
                _speed_row(f'{title_}, like for like (ours `{NCHW}`)',
                           'NCHW / NCHW', nchw, None, theirs))
        else:
            rows.append([
                f'{title_}, like for like', 'NCHW / NCHW',
                'not measured yet: `python .dev_scripts/benchmark_speed.py '
                f'{ours.config} --batch {speed.extra["batch"]} --variants '
                f'nchw={NCHW} ...`'
            ] + ['-'] * 5)
    return with_note(
        table(
            'config (batch), layouts | memory layout ours / MMRazor | ours '
            '(runner, logging on), s / iter | bare PyTorch loop, s / iter | '
            'MMRazor 1.0.0 (runner / bare train_step), s / iter | speed-up '
            'vs bare (bare s ÷ ours s) | speed-up vs MMRazor (MMRazor s ÷ '
            'ours s; runner / train_step) | peak RSS ours / bare / MMRazor '
            '(runner / train_step)', 'lccccccc', rows) +
        '\n\nA speed-up above 1: ours takes fewer seconds per iteration. '
        'The bare loop runs in the layout ours is configured with; '
        'MMRazor has no channels_last option and runs NCHW.', records)


def speed_variants_table() -> str:
    """Speed-ups of options of ours (channels_last, compile, ...)."""
    rows, records = [], []
    for name in ('speed_mnist', 'speed_cifar10', 'speed_mnist_compile'):
        speed = common.load(name)
        ours = speed.contender('ours')
        variants = [
            item for item in speed.speed if item.contender.startswith('ours+')
        ]
        records += [ours] + variants
        rows += [[
            osp.basename(item.config), item.contender + mark([ours, item]),
            f'{item.s_per_iter:.3f}',
            f'{ours.s_per_iter / item.s_per_iter:.2f}'
        ] for item in variants]
    return with_note(
        table(
            'config | variant | s / iter | speed-up vs the config as '
            'shipped (its s ÷ the variant\'s s)', 'llcc', rows), records)
