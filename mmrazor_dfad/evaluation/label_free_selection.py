# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""How well label-free signals track real accuracy over a training run, and
what selecting a checkpoint by one of them would have given.

Works on the logged validation scalars (``*/vis_data/scalars.json``): a
checkpoint can only be selected at a validation point.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

# The label-free signals and the direction that should mean a better
# student (for selection); Spearman correlations are reported signed.
SIGNAL_RULES: Dict[str, str] = {
    'agreement': 'greater',
    'balanced_agreement': 'greater',
    'confident_agreement': 'greater',
    'l1': 'less',
    'kl': 'less',
    'student_class_entropy': 'greater',
    'teacher_class_entropy': 'greater',
    'teacher_confidence': 'greater',
}
REAL_TOP1 = 'accuracy/top1'


def read_validations(work_dir: str) -> List[Dict]:
    """Validation rows of the runs logged in a work dir, in step order.

    Args:
        work_dir (str): A training's work dir (``<timestamp>/vis_data/``
            below it; several timestamps when it was resumed).

    Returns:
        list[dict]: The scalars rows that carry validation metrics (any key
        with a ``/``), one per step, the last logged one for a step.
    """
    by_step: Dict[int, Dict] = {}
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as file:
            for line in file:
                row = json.loads(line) if line.strip() else {}
                if any('/' in key for key in row):
                    by_step[row['step']] = row
    return [by_step[step] for step in sorted(by_step)]


def _ranks(values: Sequence[float]) -> List[float]:
    """Ranks from 1, ties given their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and \
                values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> Optional[float]:
    """Spearman rank correlation (Pearson correlation of average ranks).

    Args:
        x (Sequence[float]): First variable, length ``N >= 2``.
        y (Sequence[float]): Second variable, length ``N``.

    Returns:
        float | None: In [-1, 1]; None when either variable is constant.
    """
    if len(x) != len(y) or len(x) < 2:
        raise ValueError('spearman: need two sequences of the same length '
                         f'>= 2, got {len(x)} and {len(y)}.')
    rx, ry = _ranks(x), _ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx)**2 for a in rx)
    syy = sum((b - my)**2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / (sxx * syy)**0.5


def select(rows: Sequence[Dict], key: str, rule: str) -> Dict:
    """The row ``CheckpointHook(save_best=key, rule=rule)`` would keep.

    Args:
        rows (Sequence[dict]): Validation rows in step order.
        key (str): The score, e.g. ``'label_free/agreement'``.
        rule (str): ``'greater'`` or ``'less'``.

    Returns:
        dict: The first row with the best score (the hook replaces its best
        only on a strict improvement).
    """
    best = None
    for row in rows:
        if key not in row:
            continue
        if best is None or (row[key] > best[key] if rule == 'greater' else
                            row[key] < best[key]):
            best = row
    if best is None:
        raise KeyError(f'select: no validation row has {key!r}.')
    return best


def simulate_early_stopping(rows: Sequence[Dict],
                            key: str,
                            rule: str,
                            min_delta: float = 0.1,
                            patience: int = 4) -> Dict:
    """Replay :class:`LabelFreeEarlyStoppingHook`'s decision over a run.

    Args:
        rows (Sequence[dict]): Validation rows in step order.
        key (str): The monitored score.
        rule (str): ``'greater'`` or ``'less'``.
        min_delta (float): As the hook's. Defaults to 0.1.
        patience (int): As the hook's. Defaults to 4.

    Returns:
        dict: ``stop_step`` (None: the run would not have stopped) and the
        row the checkpoint hook would have kept by then (``selected``).
    """
    from mmengine.hooks import EarlyStoppingHook
    hook = EarlyStoppingHook(
        key, rule=rule, min_delta=min_delta, patience=patience)
    seen = []
    for row in rows:
        seen.append(row)
        stop, _ = hook._check_stop_condition(row[key])
        if stop:
            return dict(
                stop_step=row['step'], selected=select(seen, key, rule))
    return dict(stop_step=None, selected=select(seen, key, rule))


def summarize_run(rows: Sequence[Dict], prefixes: Sequence[str]) -> Dict:
    """Correlation and selection of every label-free signal in one run.

    Args:
        rows (Sequence[dict]): Validation rows with ``accuracy/top1``.
        prefixes (Sequence[str]): Metric prefixes of the banks, e.g.
            ``['label_free', 'label_free_mix']``.

    Returns:
        dict: ``final_top1`` (a), ``best_top1`` (c) with ``best_step``,
        ``num_validations``, and per signal ``{prefix}/{name}``: its
        ``spearman`` with real top-1, ``selected_top1`` (b) with
        ``selected_step``, and with early stopping (patience 4, min_delta
        0.1) ``early_stop_step`` and the top-1 of the checkpoint kept then,
        ``early_stop_selected_top1``.
    """
    rows = [row for row in rows if REAL_TOP1 in row]
    top1 = [row[REAL_TOP1] for row in rows]
    best = select(rows, REAL_TOP1, 'greater')
    signals = {}
    for prefix in prefixes:
        for name, rule in SIGNAL_RULES.items():
            key = f'{prefix}/{name}'
            if not all(key in row for row in rows):
                continue
            chosen = select(rows, key, rule)
            stopped = simulate_early_stopping(rows, key, rule)
            signals[key] = dict(
                rule=rule,
                spearman=spearman([row[key] for row in rows], top1),
                selected_top1=chosen[REAL_TOP1],
                selected_step=chosen['step'],
                early_stop_step=stopped['stop_step'],
                early_stop_selected_top1=stopped['selected'][REAL_TOP1])
    return dict(
        num_validations=len(rows),
        steps=[row['step'] for row in rows],
        top1=top1,
        final_top1=top1[-1],
        final_step=rows[-1]['step'],
        best_top1=best[REAL_TOP1],
        best_step=best['step'],
        signals=signals)
