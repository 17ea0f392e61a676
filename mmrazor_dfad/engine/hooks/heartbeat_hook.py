# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import json
import os
import os.path as osp
import socket
import time
from typing import List

from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmrazor_dfad.registry import HOOKS

HEARTBEAT_DIR = '.heartbeat'


def heartbeat_path(work_dir: str, rank: int) -> str:
    """Where rank ``rank`` records its progress."""
    return osp.join(work_dir, HEARTBEAT_DIR, f'rank_{rank}.json')


@HOOKS.register_module()
class HeartbeatHook(Hook):
    """Each rank records its progress in ``<work_dir>/.heartbeat/``.

    When a distributed collective times out, the ranks that are still alive
    can then say which rank stopped responding and where it was
    (:func:`describe_stalled_ranks`), instead of PyTorch's bare timeout. A
    few bytes per rank and iteration; ``tools/train.py`` adds it to
    distributed runs.
    """

    priority = 'VERY_HIGH'

    def _beat(self, runner, phase: str, iteration: int) -> None:
        """Write this rank's heartbeat file atomically (a rename)."""
        path = heartbeat_path(runner.work_dir, get_rank())
        os.makedirs(osp.dirname(path), exist_ok=True)
        record = dict(
            iter=iteration,
            phase=phase,
            time=time.time(),
            pid=os.getpid(),
            host=socket.gethostname())
        tmp_path = f'{path}.tmp'
        with open(tmp_path, 'w') as file:
            json.dump(record, file)
        os.replace(tmp_path, path)

    # Iterations are counted from 1, as in the log.
    def before_train(self, runner) -> None:
        """Beat once before the first iteration."""
        self._beat(runner, 'before training', runner.iter)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        """Beat when an iteration starts."""
        self._beat(runner, 'in iteration', runner.iter + 1)

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        """Beat when an iteration ends."""
        self._beat(runner, 'after iteration', runner.iter + 1)

    def before_val(self, runner) -> None:
        """Beat when a validation starts."""
        self._beat(runner, 'validating', runner.iter)

    def after_val(self, runner) -> None:
        """Beat when a validation ends."""
        self._beat(runner, 'after validation', runner.iter)


def describe_stalled_ranks(work_dir: str, world_size: int, me: int) -> str:
    """Name the ranks that stopped making progress, from their heartbeats.

    A rank that stops responding stops beating; the rank that times out
    waiting for it beat last when it entered the collective. Ranks whose
    last beat is older than ``me``'s are named as the stalled ones; if none
    is older, every other rank's last beat is listed.

    Args:
        work_dir (str): The run's work dir.
        world_size (int): Number of ranks.
        me (int): The rank asking (left out of the answer).

    Returns:
        str: E.g. ``"rank 1 (pid 4242 on host0) last reported iteration 6
        (after iteration) 312 s ago"``.
    """
    now = time.time()
    records = {}
    for rank in range(world_size):
        try:
            with open(heartbeat_path(work_dir, rank)) as file:
                records[rank] = json.load(file)
        except (OSError, ValueError):
            records[rank] = None
    mine = records.get(me)
    others = {rank: r for rank, r in records.items() if rank != me}
    silent = [rank for rank, r in others.items() if r is None]
    behind = [
        rank for rank, r in others.items()
        if r is not None and mine and r['time'] < mine['time'] - 0.5
    ]
    named = behind + silent or sorted(others)
    lines: List[str] = []
    for rank in sorted(named):
        record = others[rank]
        if record is None:
            lines.append(f'rank {rank} never reported')
        else:
            lines.append(
                f"rank {rank} (pid {record['pid']} on {record['host']}) last "
                f"reported iteration {record['iter']} ({record['phase']}) "
                f"{now - record['time']:.0f} s ago")
    return '; '.join(lines)
