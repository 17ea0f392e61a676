# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the tables and the metafiles share: the repository, which record
holds which runs, the one loader of ``results/*.json`` and the cells.

The parts call :func:`load` as ``common.load``, so a test can swap it for
every table and metafile at once.

Which runs a row shows (the one rule of every table): the runs of its
variant **and every other run of the same** :func:`~mmrazor_dfad.utils.\
run_records.run_key` (variant, config, options, seed, split) recorded in any
results file, copies of one run counted once. Nothing is chosen: a seed run
twice shows both values and both count in the mean ("6 runs of 3 seeds").
Legacy runs (no commit, threads, machine or split) are never pooled with
auditable ones: they get their own row (or are the only one), marked
:data:`LEGACY` with :data:`LEGACY_NOTE` below the table. A table takes its
runs through :func:`variant_runs`, which also notes what it shows
(:class:`Claim`); ``update_model_zoo.py --check`` then checks, against the
results files, that no run of a shown variant is missing (``audit.py``).
"""
import contextlib
import os
import os.path as osp
import statistics
from dataclasses import dataclass
from typing import (Callable, Iterable, Iterator, List, Optional, Sequence,
                    Tuple)

from run_records import (ResultsFile, RunRecord, distinct_runs, load_results,
                         run_key)

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
# The LeNet DFAD config per dataset (the freeze recipe as shipped).
DFAD_CONFIGS = dict(
    mnist='configs/dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    fashion_mnist='configs/dfad/'
    'dfad_logits_lenet5_lenet5half_1xb256_fashionmnist.py')
TEACHERS = dict(  # config, weights, dataset title
    mnist=('configs/vanilla/lenet5_1xb64_mnist.py',
           'checkpoints/lenet5_mnist.pth',
           'MNIST (offline 8,000 / 2,000 split)'),
    fashion_mnist=('configs/vanilla/lenet5_1xb64_fashionmnist.py',
                   'checkpoints/lenet5_fashionmnist.pth', 'Fashion-MNIST'))

# What the LeNet "plain DFAD" configs are: the generator's learning rate
# anneals to 0 at iteration 300 of 1,200 and its updates stop there
# (configs/_base_/schedules/dfad_cosine_1200it.py): a recipe, not the
# paper's algorithm.
FREEZE = 'DFAD + generator freeze at 300 (recipe)'
# The paper's algorithm: the same configs with the generator's cosine
# schedule as long as the run (recorded in results/<dataset>_recipes.json).
THROUGHOUT = 'plain-dfad-generator-throughout'
THROUGHOUT_TITLE = 'plain DFAD (generator trained throughout)'
THROUGHOUT_OPTIONS = ('param_scheduler.generator.0.T_max=1200',
                      'param_scheduler.generator.0.end=1201')
# How the tables name a variant whose record name says less than its config.
TITLES = {'plain-dfad': FREEZE, THROUGHOUT: THROUGHOUT_TITLE}
LEGACY = '\u2020'
LEGACY_NOTE = (f'{LEGACY} Legacy record: written before runs carried their '
               'commit, threads, machine and split; not a headline number.')


def load(name: str) -> ResultsFile:
    """The validated ``results/<name>.json``."""
    return load_results(osp.join(REPO, 'results', f'{name}.json'))


def title(variant: str) -> str:
    """What a table calls the variant (:data:`TITLES`, else its name)."""
    return TITLES.get(variant, variant)


@dataclass
class Claim:
    """What a table shows of a variant of ``results/<name>.json``: each
    run's ``token`` (its cell text, by default the final ``metric`` to 2
    decimals), or, with ``mean``, the mean and :func:`count` of its runs.
    """
    name: str
    variant: str
    metric: str = 'student_top1'
    mean: bool = False
    token: Optional[Callable[[RunRecord], Optional[str]]] = None


_claims: Optional[List[Claim]] = None


@contextlib.contextmanager
def claims() -> Iterator[List[Claim]]:
    """Collect the :class:`Claim` of the tables rendered inside."""
    global _claims
    outer, _claims = _claims, []
    try:
        yield _claims
    finally:
        _claims = outer


_every_run: list = [None, None, []]  # (the loader, the files' stamp, runs)


def all_runs() -> List[RunRecord]:
    """Every run of every results file, in file order (through
    :func:`load`; read again when the loader or a file changed)."""
    folder = osp.join(REPO, 'results')
    names = sorted(name[:-len('.json')] for name in os.listdir(folder)
                   if name.endswith('.json'))
    stamp = [
        os.stat(osp.join(folder, f'{name}.json')).st_mtime_ns for name in names
    ]
    if _every_run[0] is not load or _every_run[1] != (names, stamp):
        _every_run[:] = [
            load, (names, stamp),
            [run for name in names for run in load(name).runs]
        ]
    return _every_run[2]


def with_repeats(runs: List[RunRecord]) -> List[RunRecord]:
    """``runs`` and every other run of their run keys in any results file,
    copies of one run once; ordered by seed, then as recorded."""
    keys = {run_key(run) for run in runs}
    found = distinct_runs(
        list(runs) + [run for run in all_runs() if run_key(run) in keys])
    seeds = list(dict.fromkeys(run.seed for run in runs))
    return sorted(found, key=lambda run: seeds.index(run.seed))


def variant_runs(
    name: str,
    variant: str,
    metric: str = 'student_top1',
    mean: bool = False,
    token: Optional[Callable[[RunRecord], Optional[str]]] = None
) -> List[RunRecord]:
    """The runs a row of ``variant`` of ``results/<name>.json`` shows: its
    own and their repeats (:func:`with_repeats`); empty when the variant
    is not there. Notes the :class:`Claim` of the table."""
    runs = load(name).variants().get(variant, [])
    if runs and _claims is not None:
        _claims.append(Claim(name, variant, metric, mean, token))
    return with_repeats(runs)


def not_measured(dataset: str, base: str) -> str:
    """What a table says of the plain DFAD row before it has records: the
    config, the overrides and where the records go."""
    return (f'not measured yet: {link("config", DFAD_CONFIGS[dataset], base)}'
            f" `{' '.join(THROUGHOUT_OPTIONS)}` as `{THROUGHOUT}` in "
            f'`results/{dataset}_recipes.json`')


def minutes(runs: List[RunRecord]) -> str:
    """Minutes per run: their mean when the runs were made alike (within
    10 %), else the range (``7.1-39.2``), so runs made on a busier machine
    are not averaged into others; ``-`` when none was timed."""
    walls = [run.wall_time_s / 60 for run in runs if run.wall_time_s]
    if not walls:
        return '-'
    if max(walls) > 1.1 * min(walls):
        return f'{min(walls):.1f}-{max(walls):.1f}'
    return f'{statistics.mean(walls):.1f}'


def by_provenance(runs: List[RunRecord]) -> List[Tuple[List[RunRecord], bool]]:
    """``[(auditable runs, False), (legacy runs, True)]``, the empty ones
    left out: rows never pool the two."""
    groups = [([run for run in runs if not run.legacy], False),
              ([run for run in runs if run.legacy], True)]
    return [(group, legacy) for group, legacy in groups if group]


def headline(runs: List[RunRecord]) -> List[RunRecord]:
    """The runs a single number (a metafile's) reports: the auditable ones
    when there are any, else the legacy ones."""
    return by_provenance(runs)[0][0] if runs else []


def legacy_words(records: Iterable) -> str:
    """``'; legacy records: ...'`` for text that cannot carry a mark."""
    return '; legacy records (before the commit and split fields), not ' \
        'a headline number' if mark(records) else ''


def mark(records: Iterable) -> str:
    """`` †`` when a record is legacy, else nothing."""
    return f' {LEGACY}' if any(record.legacy for record in records) else ''


def with_note(text: str, records: Iterable) -> str:
    """``text`` and, when a record is legacy, :data:`LEGACY_NOTE`."""
    return text + (f'\n\n{LEGACY_NOTE}' if mark(records) else '')


def count(runs: List[RunRecord], metric: str = 'student_top1') -> str:
    """``'3 seeds'``, or ``'6 runs of 3 seeds'`` when a seed ran more than
    once: over the runs with the final ``metric``."""
    done = [run for run in runs if metric in run.metrics]
    seeds = len({run.seed for run in done})
    if len(done) == seeds:
        return f"{seeds} seed{'s' if seeds != 1 else ''}"
    return f"{len(done)} runs of {seeds} seed{'s' if seeds != 1 else ''}"


def lenet_rows(dataset: str,
               kind: str,
               names: Sequence[str],
               mean: bool = False) -> List[Tuple[str, List[RunRecord]]]:
    """``(name, runs)`` of the freeze recipe that the DFAD benchmark runs
    (``results/<dataset>_dfad.json``) and of the variants ``names`` of
    ``results/<dataset>_<kind>.json`` (:func:`variant_runs`; ``mean``: the
    table shows their mean)."""
    return [(FREEZE, variant_runs(f'{dataset}_dfad', 'plain-dfad', mean=mean))
            ] + [(name, variant_runs(f'{dataset}_{kind}', name, mean=mean))
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


def per_seed(runs: List[RunRecord], metric: str = 'student_top1') -> str:
    """``final (seed s), ...`` of the runs, in seed order: every run of a
    seed run more than once (``97.30 / 96.90 (seed 0, 2 runs)``), and the
    runs that diverged (``diverged at iteration 17 (seed 1)``)."""
    cells, seeds = [], list(dict.fromkeys(run.seed for run in runs))
    for seed in seeds:
        of_seed = [run for run in runs if run.seed == seed]
        done = [
            run.metrics[metric] for run in of_seed if metric in run.metrics
        ]
        if done:
            runs_note = f', {len(done)} runs' if len(done) > 1 else ''
            cells.append(' / '.join(f'{value:.2f}' for value in done) +
                         f' (seed {seed}{runs_note})')
        cells += [
            f"diverged at iteration {run.extra['diverged_at_iteration']} "
            f'(seed {seed})' for run in of_seed
            if 'diverged_at_iteration' in run.extra
        ]
    return ', '.join(cells)


def config_cell(run: RunRecord, base: Optional[str]) -> str:
    """A link to the run's config from ``base`` (or, if None, its
    description), then its ``--cfg-options`` (if any)."""
    options = ' '.join(run.cfg_options)
    text = run.description if base is None else link(
        osp.basename(run.config), run.config, base)
    return text + (f' `{options}`' if options else '')
