# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The segmentation tables: the mosaic benchmark (DFAD over seeds, the KD
upper bound, the untrained-generator lower bound) and its ablation."""
from typing import Optional, Sequence

from mmrazor_dfad.utils.run_records import summarize
from . import common
from .common import config_cell, fmt, spread, table

MOSAIC = 'mnist_mosaic_dfad'
METRIC, TEACHER_METRIC = 'student_mIoU', 'teacher_mIoU'


def mosaic_table(names: Sequence[str],
                 base: str,
                 name: str = MOSAIC,
                 reference: Optional[str] = None) -> str:
    """The variants ``names`` of ``results/<name>.json``: final mIoU per
    seed, mean +- std, ratio to the teacher's mIoU, worst seed, minutes
    per run; with ``reference`` also each variant's change of the mean
    against that variant's seeds it shares. Links from ``base``."""
    variants = common.load(name).variants()
    rows = []
    for variant in names:
        runs = variants[variant]
        stats = summarize(runs, METRIC, TEACHER_METRIC)
        teacher = stats.runs[0].teacher_metrics[TEACHER_METRIC]
        per_seed = ', '.join(f'{run.metrics[METRIC]:.2f} (seed {run.seed})'
                             for run in stats.runs)
        row = [
            variant, per_seed,
            spread(stats.finals),
            fmt(stats.ratio, 3),
            fmt(min(stats.finals) / teacher, 3),
            fmt(stats.minutes, 1),
            str(stats.runs[0].threads or '-'),
            config_cell(stats.runs[0], base)
        ]
        if reference is not None:
            seeds = {run.seed for run in stats.runs}
            shared = [
                run.metrics[METRIC] for run in variants[reference]
                if run.seed in seeds and METRIC in run.metrics
            ]
            delta = None if not shared else \
                sum(stats.finals) / len(stats.finals) - \
                sum(shared) / len(shared)
            row.insert(
                4, '-' if variant == reference else
                ('-' if delta is None else f'{delta:+.2f}'))
        rows.append(row)
    titles = ('variant | final mIoU per seed | mean +- std | ratio to '
              'teacher | worst seed / teacher | minutes / run | threads '
              '| config')
    align = 'lcccccccc'[:8]
    if reference is not None:
        titles = titles.replace('ratio to teacher |',
                                'ratio to teacher | vs ' + reference + ' |')
        align = 'lcccccccc'
    first = summarize(variants[names[0]], METRIC, TEACHER_METRIC).runs[0]
    return '\n\n'.join([
        table(titles, align, rows),
        f'Teacher: DeepLabV3 / quarter-width ResNet-18, mIoU '
        f'{first.teacher_metrics[TEACHER_METRIC]:.2f} on the test canvases. '
        f'Student: FCN / quarter-width MobileNetV2. Measured on '
        f'{first.machine} ({first.date}), recorded with `{first.command}`.'
    ])


def generator_sizes_table(name: str = 'generator_sizes') -> str:
    """Seconds per generator update and peak memory per image size, from
    ``.dev_scripts/benchmark_generator.py``."""
    records = common.load(name).speed
    rows = [[
        f"{record.extra['img_size']} px", record.extra['upsample_stages'],
        record.extra['batch'], f"{record.s_per_iter:.3f} s",
        f'{record.peak_rss_mb:.0f} MB',
        fmt(record.extra.get('peak_cuda_mb'), 0), record.threads or '-'
    ] for record in records]
    first = records[0]
    return '\n\n'.join([
        table(
            'image size | upsampling stages | batch | s / update | peak RSS '
            '| peak CUDA MB | threads', 'lcccccc', rows),
        f"Measured on {first.machine} ({first.extra['device']}) with "
        f'`{first.command}` ({first.date}); latent '
        f"{first.extra['latent_dim']}, hidden channels "
        f"{first.extra['hidden_channels']}."
    ])
