# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The overview tables, across records: README.md's summary of both
datasets and of MMRazor's data-free algorithms, and the speed comparisons
(README.md, docs/speed.md)."""
import os.path as osp

from mmrazor_dfad.utils.run_records import summarize
from . import common
from .common import (CIFAR_CONFIG, DATASETS, FAMILY, RECOMMENDED, TEACHERS,
                     lenet_rows, link, spread, table)


def summary_table() -> str:
    """The README's rows: plain DFAD and the recommended recipe per
    dataset, and the CIFAR-10 reference."""
    rows, notes = [], []
    for dataset in DATASETS:
        pairs = lenet_rows(dataset, 'recipes', [RECOMMENDED[dataset]])
        teacher = pairs[0][1][0].teacher_metrics['teacher_top1']
        title = TEACHERS[dataset][2]
        for method, runs in pairs:
            stats = summarize(runs)
            rows.append([
                title, f'LeNet-5 ({teacher:.2f})', 'LeNet-5-half', method,
                f'{spread(stats.finals)} ({len(stats.finals)})',
                f'{stats.ratio:.3f}', f'{stats.minutes:.1f}',
                link('config', runs[0].config, '.')
            ])
        notes.append(f'{title} {pairs[1][0]}: {pairs[1][1][0].machine}')
    cifar = common.load('cifar10_reference').runs[0]
    rows.append([
        'CIFAR-10', f"ResNet-34 ({cifar.teacher_metrics['teacher_top1']:.2f})",
        'ResNet-18', 'DFAD', 'not measured here '
        f"({cifar.extra['source']}: {cifar.final():.2f})", '-', '-',
        link('config', CIFAR_CONFIG, '.')
    ])
    return table(
        'Dataset | Teacher (top-1) | Student | method | final top-1 (mean +- '
        'std, seeds) | ratio | minutes / run (2 CPU cores) | config', 'c' * 8,
        rows) + f"\n\nHow the recipe rows were run: {'; '.join(notes)}."


def family_table() -> str:
    """The README's table of MMRazor's three data-free algorithms on both
    datasets: final top-1 over seeds, ratio and minutes per run."""
    rows, machines = [], dict(DFAD=set(), family=set())
    for dataset in DATASETS:
        pairs = lenet_rows(dataset, 'family', FAMILY)
        teacher = pairs[0][1][0].teacher_metrics['teacher_top1']
        for name, runs in pairs:
            machines['DFAD' if name == 'DFAD' else 'family'].update(
                run.machine for run in runs)
            stats = summarize(runs)
            seeds = f'{len(stats.finals)}' + ''.join(
                f'; seed {run.seed} diverged at iteration '
                f"{run.extra['diverged_at_iteration']}"
                for run in runs if 'diverged_at_iteration' in run.extra)
            rows.append([
                TEACHERS[dataset][2], f'LeNet-5 ({teacher:.2f}) -> '
                'LeNet-5-half',
                name.upper(), f'{spread(stats.finals)} ({seeds})',
                f'{stats.ratio:.3f}', f'{stats.minutes:.1f}',
                link('config', runs[0].config, '.')
            ])
    dfad, family = ('; '.join(sorted(machines[key]))
                    for key in ('DFAD', 'family'))
    return table(
        'Dataset | Teacher (top-1) | algorithm | final top-1 (mean +- std, '
        'seeds) | ratio | minutes / run | config', 'c' * 7, rows) + (
            '\n\nMinutes compare only runs made the same way. DFAD rows: '
            f'`results/*_dfad.json`, {dfad}. DAFL and ZSKT rows: {family}.')


def speed_table() -> str:
    """Seconds per iteration: ours, the bare loop, MMRazor 1.0.0."""
    rows = []
    for title, name in (('LeNet-5 -> LeNet-5-half MNIST', 'speed_mnist'),
                        ('ResNet-34 -> ResNet-18 CIFAR-10', 'speed_cifar10')):
        speed = common.load(name)
        contenders = [
            speed.contender(contender)
            for contender in ('ours', 'bare', 'mmrazor', 'mmrazor_train_step')
        ]
        s = [item.s_per_iter for item in contenders]
        rss = ' / '.join(f'{item.peak_rss_mb:.0f}' for item in contenders)
        rows.append([
            f"{title} ({speed.extra['batch']})", f'{s[0]:.3f} s',
            f'{s[1]:.3f} s', f'{s[2]:.3f} / {s[3]:.3f} s',
            f'{s[1] / s[0]:.2f}', f'{s[2] / s[0]:.2f} / {s[3] / s[0]:.2f}',
            f'{rss} MB'
        ])
    return table(
        'config (batch) | ours (runner, logging on) | bare PyTorch loop | '
        'MMRazor 1.0.0 (runner / bare train_step) | ours / bare | '
        'ours / MMRazor (runner / train_step) | peak RSS ours / bare / '
        'MMRazor (runner / train_step)', 'lcccccc', rows)


def speed_variants_table() -> str:
    """Speed-ups of options of ours (channels_last, compile, ...)."""
    rows = []
    for name in ('speed_mnist', 'speed_cifar10', 'speed_mnist_compile'):
        speed = common.load(name)
        ours = speed.contender('ours').s_per_iter
        rows += [[
            osp.basename(item.config), item.contender,
            f'{item.s_per_iter:.3f}', f'{ours / item.s_per_iter:.2f}'
        ] for item in speed.speed if item.contender.startswith('ours+')]
    return table('config | variant | s / iter | speed-up vs the config',
                 'llcc', rows)
