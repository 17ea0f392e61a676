# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""No table hides a recorded run.

Every table says which variants it shows (:class:`common.Claim`, noted by
:func:`common.variant_runs`). For each, this module reads
``results/*.json`` itself (not through the tables' code) and finds every
run of the variant's configs and seeds (:func:`run_key`; copies of one run
once, :func:`distinct_runs`). The rendered section must show each: a table
of runs its value (the final metric to 2 decimals, ``diverged at iteration
N``, or the last validation of a stopped run; as many times as there are
such runs), a table of means the mean and the count of every group of
them (auditable runs and legacy runs apart). ``update_model_zoo.py``
(``--check`` too) fails on what is missing.
"""
import os.path as osp
import re
from collections import Counter
from dataclasses import replace
from typing import Callable, Dict, List, Optional

from . import common
from run_records import RunRecord, distinct_runs, load_all, run_key


def value(run: RunRecord, metric: str) -> Optional[str]:
    """How a table of runs shows ``run`` (``None``: nothing to show)."""
    if metric in run.metrics:
        return f'{run.metrics[metric]:.2f}'
    if 'diverged_at_iteration' in run.extra:
        return f"diverged at iteration {run.extra['diverged_at_iteration']}"
    if run.validations and metric in run.validations[-1][1]:
        return f'{run.validations[-1][1][metric]:.2f}'
    return None


def occurrences(text: str, token: str) -> int:
    """How often ``token`` stands in ``text`` (not inside a longer
    number)."""
    return len(re.findall(r'(?<![\d.])' + re.escape(token) + r'(?!\d)', text))


def recorded(records: Dict, claim: common.Claim) -> List[RunRecord]:
    """Every run of the claimed variant's configs and seeds, in any
    results file (each with ``extra['_file']``, the file it came from)."""
    keys = {
        run_key(run)
        for run in records[claim.name].runs if run.variant == claim.variant
    }
    runs = []
    for name, results in records.items():
        for run in results.runs:
            if run_key(run) in keys:
                runs.append(
                    replace(run, extra=dict(run.extra, _file=f'{name}.json')))
    return distinct_runs(runs)


def missing(text: str, claims: List[common.Claim], records: Dict) -> List[str]:
    """What ``text`` (one rendered section) does not show of the runs
    of ``claims``."""
    problems, wanted, where = [], Counter(), {}
    unique = {(c.name, c.variant, c.metric, c.mean): c for c in claims}
    for claim in unique.values():
        runs = recorded(records, claim)
        if claim.mean:
            for group in ([run for run in runs if not run.legacy],
                          [run for run in runs if run.legacy]):
                finals = [
                    run.metrics[claim.metric] for run in group
                    if claim.metric in run.metrics
                ]
                if not finals:
                    continue
                mean = f'{sum(finals) / len(finals):.2f}'
                count = common.count(group, claim.metric)
                if not occurrences(text, mean) or count not in text:
                    problems.append(
                        f'{claim.name}.json {claim.variant!r}: the mean '
                        f'{mean} of its {count} is not shown')
            continue
        token: Callable = claim.token or (
            lambda run, metric=claim.metric: value(run, metric))
        for run in runs:
            shown = token(run)
            if shown is not None:
                wanted[shown] += 1
                where.setdefault(shown, []).append(
                    f"{run.extra['_file']} {run.variant!r} seed {run.seed}")
    for shown, times in wanted.items():
        found = occurrences(text, shown)
        if found < times:
            problems.append(
                f"{shown!r}: {times} recorded run{'s' if times > 1 else ''} "
                f"({'; '.join(where[shown])}), {found} in the table")
    return problems


def audit(sections: Dict[str, Dict[str, Callable[[], str]]]) -> List[str]:
    """Render every section and list what hides a recorded run (empty:
    nothing)."""
    records = load_all(osp.join(common.REPO, 'results'))
    problems = []
    for page, renderers in sections.items():
        for marker, renderer in renderers.items():
            with common.claims() as claims:
                text = renderer()
            problems += [
                f'{page} <!-- {marker} -->: {problem}'
                for problem in missing(text, claims, records)
            ]
    return problems
