# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the tables and the metafiles share: the repository, which record
holds which runs, the one loader of ``results/*.json`` and the cells.

The parts call :func:`load` as ``common.load``, so a test can swap it for
every table and metafile at once.
"""
import os.path as osp
import statistics
from typing import Iterable, List, Optional, Sequence, Tuple

from mmrazor_dfad.utils.run_records import (ResultsFile, RunRecord,
                                            load_results, summarize)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CIFAR_CONFIG = 'configs/dfad/dfad_logits_resnet34_resnet18_8xb32_cifar10.py'
DATASETS = ('mnist', 'fashion_mnist')
# The variant of results/<dataset>_recipes.json the README recommends.
RECOMMENDED = dict(
    mnist='replay-priors-tv',
    fashion_mnist='impressions-soft-targets-attention')
# Model-zoo folder, paper and module per algorithm; DAFL's and ZSKT's runs
# are the variants 'dafl' and 'zskt' of results/<dataset>_family.json.
PAPERS = dict(
    dfad=('configs/dfad', 'Data-Free Adversarial Distillation',
          'https://arxiv.org/abs/1912.11006', 'data_free_distillation.py'),
    dafl=('configs/dafl', 'Data-Free Learning of Student Networks',
          'https://arxiv.org/abs/1904.01186',
          'dafl_data_free_distillation.py'),
    zskt=('configs/zskt',
          'Zero-Shot Knowledge Transfer via Adversarial Belief Matching',
          'https://arxiv.org/abs/1905.09768', 'data_free_distillation.py'))
FAMILY = ('dafl', 'zskt')
TEACHERS = dict(  # config, weights, dataset title
    mnist=('configs/vanilla/lenet5_1xb64_mnist.py',
           'checkpoints/lenet5_mnist.pth',
           'MNIST (offline 8,000 / 2,000 split)'),
    fashion_mnist=('configs/vanilla/lenet5_1xb64_fashionmnist.py',
                   'checkpoints/lenet5_fashionmnist.pth', 'Fashion-MNIST'))


def load(name: str) -> ResultsFile:
    """The validated ``results/<name>.json``."""
    return load_results(osp.join(REPO, 'results', f'{name}.json'))


def lenet_rows(dataset: str, kind: str,
               names: Sequence[str]) -> List[Tuple[str, List[RunRecord]]]:
    """``(name, runs)`` of plain DFAD and of the variants ``names`` of
    ``results/<dataset>_<kind>.json``."""
    recorded = load(f'{dataset}_{kind}').variants()
    return [('DFAD', load(f'{dataset}_dfad').runs)] + [(name, recorded[name])
                                                       for name in names]


def table(titles: str, align: str, rows: Iterable[Sequence[str]]) -> str:
    """A markdown table: the column titles (``' | '``-separated), their
    alignment (``l``/``c`` per column) and the rows' cells."""
    lines = [titles.split(' | '), [{'l': ':--', 'c': ':-:'}[a] for a in align]]
    lines += rows
    if any(len(cells) != len(align) for cells in lines):
        raise ValueError(f'a row of the table {titles!r} does not have '
                         f'{len(align)} cells')
    return '\n'.join(f"| {' | '.join(map(str, cells))} |" for cells in lines)


def fmt(value: Optional[float], digits: int = 2) -> str:
    """A number for a table; ``-`` when there is none."""
    return '-' if value is None else f'{value:.{digits}f}'


def spread(values: List[float]) -> str:
    """``mean +- std`` of per-seed values (sample std)."""
    if len(values) < 2:
        return fmt(values[0]) if values else '-'
    return f'{statistics.mean(values):.2f} +- {statistics.stdev(values):.2f}'


def link(text: str, path: str, base: str) -> str:
    """A markdown link to ``path`` (repository-relative) from ``base``."""
    target = osp.relpath(osp.join(REPO, path), osp.join(REPO, base))
    return f'[{text}]({target})'


def per_seed(runs: List[RunRecord]) -> str:
    """``final (seed s), ...`` of the finished runs."""
    return ', '.join(f'{run.final():.2f} (seed {run.seed})'
                     for run in summarize(runs).runs)


def config_cell(run: RunRecord, base: Optional[str]) -> str:
    """A link to the run's config from ``base`` (or, if None, its
    description), then its ``--cfg-options`` (if any)."""
    options = ' '.join(run.cfg_options)
    text = run.description if base is None else link(
        osp.basename(run.config), run.config, base)
    return text + (f' `{options}`' if options else '')
