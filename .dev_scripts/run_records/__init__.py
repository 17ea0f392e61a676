# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Run records: the one schema of ``results/*.json`` (the ledger of this
repository's benchmarks; not part of the package: the scripts of
``.dev_scripts/`` and the tests import it as ``run_records``).

Every measured number of the project lives in a *results file*, one JSON
object per file::

    {
      "schema": "mmrazor_dfad.results/1",
      "name": "mnist_recipes",                # the file's stem
      "description": "what the file records",
      "dataset": "MNIST",                     # null: each run names its own
      "task": "classification",               # or "segmentation"
      "baselines": {"(a) supervised": {"student_top1": 88.95}},
      "extra": {},                            # file-level facts, free-form
      "runs": [RunRecord, ...],               # trainings / evaluations
      "speed": [SpeedRecord, ...]             # seconds-per-iteration samples
    }

A :class:`RunRecord` is one run (one seed of one recipe, the *variant*);
the runs of a variant are the records sharing its name, in file order. A
:class:`SpeedRecord` is one contender of a speed measurement.

Provenance: a record says the commit it ran at (``git rev-parse HEAD``, with
``-dirty`` when tracked files had uncommitted changes), its CPU threads, the
machine and (a run) the split its final ``metrics`` were measured on
(``'val'`` or ``'test'``). :func:`provenance` fills the first three for a
benchmark script, from the work dir's ``run_provenance.json`` (written by
``tools/train.py`` when the run started:
:func:`mmrazor_dfad.utils.provenance.write_provenance`) when it records a
finished run. A record that lacks one of them was written before
these fields existed: :attr:`RunRecord.legacy` is true and the tables mark
it and do not make it a headline number. Records of one run key
(:func:`run_key`: variant, config, options, seed, split) are repeats of one
configuration; :func:`distinct_runs` drops the copies of one run recorded in
several files. Metrics are
dicts keyed by the metric's name (``student_top1``, ``student_mIoU``,
``agreement``, ``teacher_top1``, ...) whose values are numbers or (nested)
lists of numbers; what fits no field goes to ``extra``. :func:`load_results`
and :func:`load_all` are the one way to read the files (they validate and
raise a ``ValueError`` naming the file, the field and the fix);
:func:`dump_results` writes them as sorted, indented JSON.
"""
import json
import math
import os
import os.path as osp
import statistics
import typing
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Dict, List, Optional, Tuple, Union

# What a training records when it starts (the runtime's part, reachable
# from here too), and what a record's provenance reads.
from mmrazor_dfad.utils.provenance import (PROVENANCE_FILE, current_machine,
                                           current_threads, git_commit,
                                           read_starts, write_provenance)

__all__ = [
    'SCHEMA', 'TASKS', 'SPLITS', 'RUN_PROVENANCE', 'SPEED_PROVENANCE',
    'PROVENANCE_FILE', 'REPO', 'Metric', 'Validation', 'RunRecord',
    'SpeedRecord', 'ResultsFile', 'Summary', 'summarize', 'results_from_dict',
    'load_results', 'load_all', 'dumps_results', 'dump_results',
    'load_or_create', 'git_commit', 'current_threads', 'current_machine',
    'write_provenance', 'read_starts', 'provenance', 'run_key', 'same_run',
    'distinct_runs'
]

SCHEMA = 'mmrazor_dfad.results/1'
TASKS = ('classification', 'segmentation')
#: The splits a final metric can be measured on.
SPLITS = ('val', 'test')
#: The fields that make a record auditable; a record lacking one is legacy.
RUN_PROVENANCE = ('commit', 'threads', 'machine', 'split')
SPEED_PROVENANCE = ('commit', 'threads', 'machine')
#: The checkout (``.dev_scripts/run_records/`` is two folders down).
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: A metric value: a number, or a (nested) list of numbers such as per-class
#: accuracies or a confusion matrix.
Metric = Union[float, List[Any]]
#: One validation: the iteration and the metrics measured there.
Validation = Tuple[int, Dict[str, Metric]]


def _help(text: str, **kwargs) -> Any:
    """A dataclass field whose metadata says what it holds (for errors)."""
    return field(metadata=dict(help=text), **kwargs)


@dataclass
class RunRecord:
    """One training or evaluation run.

    Args:
        variant (str): The recipe or variant; its seeds share the name.
        description (str): What the variant is or changes.
        dataset (str, optional): Only when the file's header has none.
        config (str, optional): Config path, relative to the repository.
        cfg_options (list[str]): The ``--cfg-options`` it ran with.
        seed (int, optional): ``randomness.seed``.
        commit (str, optional): The commit it ran at (``-dirty``: with
            uncommitted changes to tracked files); see :func:`provenance`.
        split (str, optional): The split ``metrics`` were measured on:
            ``'val'`` (held out from the training images) or ``'test'``.
        threads (int, optional): CPU threads of the run.
        machine (str, optional): Where it ran and how the machine was shared.
        date (str, optional): ``YYYY-MM-DD``.
        command (str, optional): The command that recorded it.
        metrics (dict): Final metrics, e.g. ``{'student_top1': 96.9}``;
            empty when the run did not finish (see ``extra``).
        validations (list[tuple[int, dict]]): ``(iteration, metrics)`` of
            every validation, in order.
        wall_time_s (float, optional): Seconds of the whole run.
        teacher_metrics (dict): The teacher's, e.g. ``{'teacher_top1': ..}``.
        extra (dict): The rest, e.g. ``time_to_ratio``,
            ``best_test_selected`` (the best validation, selected on the
            test split), ``diverged_at_iteration``, ``note``.
    """
    variant: str = _help('the recipe or variant name (its seeds share it)')
    description: str = _help('what the variant is', default='')
    dataset: Optional[str] = _help('the dataset title', default=None)
    config: Optional[str] = _help('a config path', default=None)
    cfg_options: List[str] = _help(
        'the --cfg-options as key=value strings', default_factory=list)
    seed: Optional[int] = _help('the integer seed', default=None)
    commit: Optional[str] = _help(
        'the git commit (git rev-parse HEAD, -dirty if changed)', default=None)
    split: Optional[str] = _help(
        "the split of the final metrics: 'val' or 'test'", default=None)
    threads: Optional[int] = _help('the number of threads', default=None)
    machine: Optional[str] = _help('a text', default=None)
    date: Optional[str] = _help('YYYY-MM-DD', default=None)
    command: Optional[str] = _help('the command line', default=None)
    metrics: Dict[str, Metric] = _help(
        'final metrics {name: number}', default_factory=dict)
    validations: List[Validation] = _help(
        'a list of [iteration, {name: number}]', default_factory=list)
    wall_time_s: Optional[float] = _help('seconds', default=None)
    teacher_metrics: Dict[str, Metric] = _help(
        'the teacher metrics {name: number}', default_factory=dict)
    extra: Dict[str, Any] = _help(
        'a JSON object of free-form facts', default_factory=dict)

    def final(self, name: str = 'student_top1') -> Optional[float]:
        """The final metric ``name``; ``None`` when not recorded."""
        return self.metrics.get(name)

    @property
    def missing(self) -> List[str]:
        """The provenance fields (:data:`RUN_PROVENANCE`) it lacks."""
        return [name for name in RUN_PROVENANCE if getattr(self, name) is None]

    @property
    def legacy(self) -> bool:
        """Recorded before runs carried their commit, threads, machine and
        split (or lacking one): not a headline number."""
        return bool(self.missing)


@dataclass
class SpeedRecord:
    """One contender of a speed measurement.

    Args:
        contender (str): E.g. ``'ours'``, ``'bare'``, ``'ours+compile'``.
        description (str): What the contender runs.
        config, cfg_options, commit, threads, machine, date, command: As
            in :class:`RunRecord`.
        s_per_iter (float, optional): The summary (e.g. the median of the
            samples) as the benchmark reported it.
        s_per_iter_samples (list[float]): Seconds per iteration, per repeat.
        peak_rss_mb (float, optional): The summary of the peak memory.
        peak_rss_mb_samples (list[float]): Peak resident memory per repeat.
        extra (dict): The rest.
    """
    contender: str = _help('the contender name')
    description: str = _help('what the contender runs', default='')
    config: Optional[str] = _help('a config path', default=None)
    cfg_options: List[str] = _help(
        'the --cfg-options as key=value strings', default_factory=list)
    commit: Optional[str] = _help(
        'the git commit (git rev-parse HEAD, -dirty if changed)', default=None)
    threads: Optional[int] = _help('the number of threads', default=None)
    machine: Optional[str] = _help('a text', default=None)
    date: Optional[str] = _help('YYYY-MM-DD', default=None)
    command: Optional[str] = _help('the command line', default=None)
    s_per_iter: Optional[float] = _help('seconds', default=None)
    s_per_iter_samples: List[float] = _help(
        'a list of seconds', default_factory=list)
    peak_rss_mb: Optional[float] = _help('megabytes', default=None)
    peak_rss_mb_samples: List[float] = _help(
        'a list of megabytes', default_factory=list)
    extra: Dict[str, Any] = _help(
        'a JSON object of free-form facts', default_factory=dict)

    @property
    def missing(self) -> List[str]:
        """The provenance fields (:data:`SPEED_PROVENANCE`) it lacks."""
        return [
            name for name in SPEED_PROVENANCE if getattr(self, name) is None
        ]

    @property
    def legacy(self) -> bool:
        """Recorded before speed records carried their commit, threads and
        machine (or lacking one)."""
        return bool(self.missing)


@dataclass
class ResultsFile:
    """A results file: a small header and its records.

    Args:
        name (str): The file's stem, e.g. ``'mnist_recipes'``.
        description (str): What the file records.
        dataset (str, optional): The dataset of every run (``None`` when
            each run names its own).
        task (str): ``'classification'`` or ``'segmentation'``.
        baselines (dict): ``{name: metrics}`` the runs are compared with.
        runs (list[RunRecord]): The runs, in table order.
        speed (list[SpeedRecord]): The speed measurements, in table order.
        extra (dict): File-level facts that fit no field.
    """
    name: str = _help('the file stem')
    description: str = _help('what the file records', default='')
    dataset: Optional[str] = _help('the dataset title', default=None)
    task: str = _help(' or '.join(TASKS), default='classification')
    baselines: Dict[str, Dict[str, Metric]] = _help(
        '{name: {metric: number}}', default_factory=dict)
    runs: List[RunRecord] = _help(
        'a list of run records', default_factory=list)
    speed: List[SpeedRecord] = _help(
        'a list of speed records', default_factory=list)
    extra: Dict[str, Any] = _help(
        'a JSON object of free-form facts', default_factory=dict)

    def variants(self) -> Dict[str, List[RunRecord]]:
        """The runs grouped by variant, in order of first appearance."""
        groups: Dict[str, List[RunRecord]] = {}
        for run in self.runs:
            groups.setdefault(run.variant, []).append(run)
        return groups

    def contender(self, name: str) -> SpeedRecord:
        """The speed record of contender ``name`` (``KeyError`` if none)."""
        for record in self.speed:
            if record.contender == name:
                return record
        raise KeyError(f'{self.name} has no speed record {name!r}.')

    def add_runs(self, variant: str, runs: List[RunRecord]) -> None:
        """Record ``runs`` of ``variant`` after its earlier ones (appended
        when the variant is new). Earlier runs are never replaced: a run
        repeated is shown beside the first. A record that is a copy of one
        already there (:func:`same_run`, e.g. a finished run recorded
        twice) is left out.
        """
        new = [
            run for run in runs
            if not any(same_run(run, old) for old in self.runs)
        ]
        last = max(
            (i for i, run in enumerate(self.runs) if run.variant == variant),
            default=len(self.runs) - 1)
        self.runs = self.runs[:last + 1] + new + self.runs[last + 1:]

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object of the file (plain dicts and lists)."""
        data = dict(schema=SCHEMA, **_as_dict(self))
        data['runs'] = [_as_dict(run) for run in self.runs]
        data['speed'] = [_as_dict(record) for record in self.speed]
        for run in data['runs']:
            run['validations'] = [[step, dict(metrics)]
                                  for step, metrics in run['validations']]
        return data


@dataclass
class Summary:
    """The numbers of a variant that tables report, from its finished runs
    (those with the final metric; a diverged run has none).

    Args:
        runs (list[RunRecord]): The finished runs.
        finals (list[float]): Their final metric.
        mean (float, optional): The mean of ``finals``.
        std (float, optional): Their sample standard deviation (0 for one).
        ratio (float, optional): ``mean`` over the teacher's metric.
        minutes (float, optional): Mean wall time, in minutes.
    """
    runs: List[RunRecord]
    finals: List[float]
    mean: Optional[float]
    std: Optional[float]
    ratio: Optional[float]
    minutes: Optional[float]


def summarize(runs: List[RunRecord],
              metric: str = 'student_top1',
              teacher_metric: str = 'teacher_top1') -> Summary:
    """Summarize the runs of one variant.

    Args:
        runs (list[RunRecord]): E.g. ``results.variants()['plain-dfad']``.
        metric (str): The final metric. Defaults to ``'student_top1'``.
        teacher_metric (str): The teacher's. Defaults to ``'teacher_top1'``.

    Returns:
        Summary: Over the runs that have ``metric``.
    """
    done = [run for run in runs if metric in run.metrics]
    finals = [run.metrics[metric] for run in done]
    mean = statistics.mean(finals) if finals else None
    teacher = next((run.teacher_metrics[teacher_metric]
                    for run in done if teacher_metric in run.teacher_metrics),
                   None)
    walls = [run.wall_time_s for run in done if run.wall_time_s is not None]
    return Summary(
        runs=done,
        finals=finals,
        mean=mean,
        std=(statistics.stdev(finals) if len(finals) > 1 else 0.0)
        if finals else None,
        ratio=None if teacher is None else mean / teacher,
        minutes=statistics.mean(walls) / 60 if walls else None)


def _as_dict(record: Any) -> Dict[str, Any]:
    """The fields of a record as a dict (values not copied deeply)."""
    return {item.name: getattr(record, item.name) for item in fields(record)}


_KINDS = {
    int: 'an integer',
    float: 'a number',
    str: 'a string',
    list: 'a list',
    tuple: 'a list',
    dict: 'a JSON object'
}


class _Checker:
    """Validates the JSON of one file against the dataclasses' hints."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str, fix: str) -> None:
        """Raise the ``ValueError`` of a malformed field."""
        raise ValueError(f'{self.source}: {where}: {problem}. Fix: {fix}.')

    def value(self, value: Any, hint: Any, where: str, wanted: str) -> Any:
        """``value`` checked against the type ``hint`` (lists become tuples
        for :data:`Validation`); ``wanted`` says what the field holds."""
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint == Metric:
            return self.metric(value, where)
        if hint is Any:
            return value
        if origin is Union:  # Optional[X]
            return None if value is None else self.value(
                value, args[0], where, wanted)
        kind = origin or hint
        accepted = {float: (int, float), tuple: list}.get(kind, kind)
        if isinstance(value, bool) or not isinstance(value, accepted) or (
                kind is tuple and len(value) != len(args)):
            self.fail(where, f'expected {_KINDS[kind]}, got {value!r}',
                      f'write {wanted}')
        if kind is tuple:
            return tuple(
                self.value(item, arg, f'{where}[{i}]', wanted)
                for i, (item, arg) in enumerate(zip(value, args)))
        if kind is list:
            return [
                self.value(item, args[0], f'{where}[{i}]', wanted)
                for i, item in enumerate(value)
            ]
        if kind is dict:
            return {
                key: self.value(item, args[1], f'{where}[{key!r}]', wanted)
                for key, item in value.items()
            }
        return value

    def metric(self, value: Any, where: str) -> Metric:
        """A finite number or a (nested) list of them."""
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.metric(item, f'{where}[{i}]')
            return value
        if isinstance(value, bool) or not isinstance(
                value, (int, float)) or not math.isfinite(value):
            self.fail(
                where, 'expected a finite number (or a list of them), got '
                f'{value!r}',
                'write it as a JSON number; omit a metric that was '
                "not measured and say why in 'extra' (e.g. "
                'diverged_at_iteration)')
        return value

    def record(self, data: Any, cls: type, where: str) -> Any:
        """An instance of the dataclass ``cls`` from the dict ``data``."""
        if not isinstance(data, dict):
            self.fail(where or 'the file', f'expected a JSON object, got '
                      f'{data!r}', f'write a {cls.__name__} as an object')
        hints = typing.get_type_hints(cls)
        known = {item.name: item for item in fields(cls)}
        prefix = f'{where}.' if where else ''
        for key in data:
            if key not in known:
                self.fail(
                    prefix + key, 'unknown field',
                    f'move it into {prefix}extra (the fields of a '
                    f"{cls.__name__}: {', '.join(known)})")
        kwargs = {}
        for name, item in known.items():
            if name in data:
                kwargs[name] = self.value(data[name], hints[name],
                                          prefix + name, item.metadata['help'])
            elif item.default is item.default_factory is MISSING:
                self.fail(prefix + name, 'missing',
                          f"add it: {item.metadata['help']}")
        if kwargs.get('task', TASKS[0]) not in TASKS:
            self.fail('task', f"{kwargs['task']!r} is not a task",
                      f"write one of {', '.join(TASKS)}")
        if kwargs.get('split') not in (None, ) + SPLITS:
            self.fail(prefix + 'split', f"{kwargs['split']!r} is not a split",
                      f"write one of {', '.join(SPLITS)}")
        return cls(**kwargs)


def results_from_dict(data: Any, source: str = '<results>') -> ResultsFile:
    """Validate the JSON object of a results file and return it typed.

    Args:
        data (dict): The parsed JSON.
        source (str): The file name used in error messages.

    Returns:
        ResultsFile: The file with its records.

    Raises:
        ValueError: On any malformed field, naming ``source``, the field
            and the fix.
    """
    checker = _Checker(source)
    if not isinstance(data, dict) or data.get('schema') != SCHEMA:
        found = data.get('schema') if isinstance(data, dict) else data
        checker.fail(
            'schema', f'expected {SCHEMA!r}, got {found!r}',
            'write the file with dump_results of .dev_scripts/run_records '
            '(see docs/development.md)')
    data = {key: value for key, value in data.items() if key != 'schema'}
    runs, speed = data.pop('runs', []), data.pop('speed', [])
    for key, value in (('runs', runs), ('speed', speed)):
        if not isinstance(value, list):
            checker.fail(key, f'expected a list, got {value!r}',
                         f'write {key} as a JSON array of records')
    results = checker.record(data, ResultsFile, '')
    results.runs = [
        checker.record(run, RunRecord, f'runs[{i}]')
        for i, run in enumerate(runs)
    ]
    results.speed = [
        checker.record(record, SpeedRecord, f'speed[{i}]')
        for i, record in enumerate(speed)
    ]
    return results


def load_results(path: str) -> ResultsFile:
    """Read and validate one results file.

    Args:
        path (str): The JSON file.

    Returns:
        ResultsFile: Its header and records.

    Raises:
        ValueError: When the file is not JSON or breaks the schema.
    """
    with open(path, encoding='utf-8') as file:
        try:
            data = json.load(file)
        except json.JSONDecodeError as error:
            raise ValueError(f'{path}: not JSON ({error}). Fix: correct the '
                             'syntax or rewrite it with dump_results.')
    return results_from_dict(data, path)


def load_all(folder: str) -> Dict[str, ResultsFile]:
    """Every ``*.json`` of ``folder``, keyed by file stem, sorted.

    Args:
        folder (str): E.g. ``'results'``.

    Returns:
        dict[str, ResultsFile]: ``{'mnist_dfad': ..., ...}``.
    """
    return {
        name[:-len('.json')]: load_results(osp.join(folder, name))
        for name in sorted(os.listdir(folder)) if name.endswith('.json')
    }


def dumps_results(results: ResultsFile, source: Optional[str] = None) -> str:
    """The stable text of a results file: validated, keys sorted, indented
    by two spaces, one trailing newline.

    Args:
        results (ResultsFile): The file.
        source (str, optional): The name for error messages (default: the
            file's ``name``).

    Returns:
        str: The JSON text.

    Raises:
        ValueError: When a record breaks the schema.
    """
    data = results.to_dict()
    results_from_dict(json.loads(json.dumps(data)), source or results.name)
    return json.dumps(
        data, indent=2, sort_keys=True, ensure_ascii=False,
        allow_nan=False) + '\n'


def dump_results(results: ResultsFile, path: str) -> None:
    """Validate ``results``, then write it to ``path``.

    Args:
        results (ResultsFile): The file.
        path (str): Where to write (its folder is created).
    """
    text = dumps_results(results, path)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as file:
        file.write(text)


def load_or_create(path: str, **header: Any) -> ResultsFile:
    """The results file at ``path``, or a new empty one with ``header``
    (``name`` defaults to the file's stem) when there is none.

    Args:
        path (str): The JSON file.
        **header: Fields of a new :class:`ResultsFile`.

    Returns:
        ResultsFile: The file to add records to.
    """
    if osp.isfile(path):
        return load_results(path)
    header.setdefault('name', osp.splitext(osp.basename(path))[0])
    return ResultsFile(**header)


def provenance(threads: Optional[int] = None,
               machine: Optional[str] = None,
               work_dir: Optional[str] = None,
               repo: str = REPO) -> Dict[str, Any]:
    """``commit``, ``threads`` and ``machine`` of a record, the one way the
    benchmark scripts fill them.

    A run trained now (no ``work_dir``): this checkout's commit, this
    process's threads and this machine. A finished run read from
    ``work_dir``: what its ``run_provenance.json`` says (the commits of all
    its starts, comma-separated, when a resume ran at another commit);
    without that file the commit and threads are unknown (``None``: the
    record is legacy) unless given.

    Args:
        threads (int, optional): The run's threads, when the caller knows.
        machine (str, optional): A description of the machine and how it
            was shared (default: :func:`current_machine`).
        work_dir (str, optional): The finished run's work dir.
        repo (str): The checkout.

    Returns:
        dict: ``dict(commit=..., threads=..., machine=...)``, to pass to
        :class:`RunRecord` or :class:`SpeedRecord` as keyword arguments.
    """
    if work_dir is None:
        return dict(
            commit=git_commit(repo),
            threads=current_threads() if threads is None else threads,
            machine=machine or current_machine())
    starts = read_starts(work_dir)
    commits = list(dict.fromkeys(start.get('commit') for start in starts))
    last = starts[-1] if starts else {}
    return dict(
        commit=None if not starts or None in commits else ', '.join(commits),
        threads=last.get('threads') if threads is None else threads,
        machine=machine or last.get('machine'))


def run_key(run: RunRecord) -> Tuple[Any, ...]:
    """What makes two records repeats of one configuration: the variant,
    config, ``--cfg-options`` (as a set; the seed's own option left out),
    seed and split. The variant is part of it because a legacy record does
    not name the code it ran (runs of one config at different code share
    everything else)."""
    options = tuple(
        sorted(
            option for option in run.cfg_options
            if not option.startswith('randomness.seed=')))
    return (run.variant, run.config, options, run.seed, run.split)


def _scalars(run: RunRecord) -> Dict[str, float]:
    """The run's final metrics that are numbers."""
    return {
        name: value
        for name, value in run.metrics.items()
        if isinstance(value, (int, float))
    }


def same_run(a: RunRecord, b: RunRecord) -> bool:
    """Whether two records are copies of one run (e.g. in a recipe table
    and an ablation): the same :func:`run_key` and the same final numbers
    (full precision) where both have them, or, unfinished, the same stop.
    Two runs with equal numbers count once: nothing to choose between."""
    if run_key(a) != run_key(b):
        return False
    first, second = _scalars(a), _scalars(b)
    shared = set(first) & set(second)
    if shared:
        return all(first[name] == second[name] for name in shared)
    if first or second:
        return False
    stop = a.extra.get('diverged_at_iteration')
    if stop is not None:
        return stop == b.extra.get('diverged_at_iteration')
    return bool(a.validations) and a.validations == b.validations


def distinct_runs(runs: List[RunRecord]) -> List[RunRecord]:
    """``runs`` without the copies of one run (:func:`same_run`), the
    first copy kept, in order."""
    kept: List[RunRecord] = []
    for run in runs:
        if not any(same_run(run, other) for other in kept):
            kept.append(run)
    return kept
