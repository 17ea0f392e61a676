# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
import statistics
from collections import deque
from typing import Deque, Dict, Iterable, Optional

import torch
import torch.distributed as torch_dist
import torch.nn as nn
from mmengine.logging import MessageHub, print_log


class TrainingDivergedError(FloatingPointError):
    """A loss or weight norm exploded; raised before any checkpoint of the
    exploded state is written."""


def _iteration_text() -> str:
    """The current iteration for messages, counted from 1 as in logs."""
    iteration = MessageHub.get_current_instance().get_info('iter')
    return f'iteration {iteration + 1}' if iteration is not None else \
        'this iteration'


class DivergenceGuard:
    """Catch NaN/Inf and explosions of losses and weight norms.

    Before every update, the loss is checked:

    - NaN or Inf always stops the run (:class:`FloatingPointError`) before
      the update.
    - A finite loss whose magnitude exceeds ``loss_factor`` times the median
      magnitude of the same player's last ``window`` losses (once ``warmup``
      of them are known; the median is floored at ``min_loss_scale``) has
      exploded: with ``action='stop'`` the run stops before the update
      (:class:`TrainingDivergedError`), with ``action='skip'`` the update is
      skipped and a line is logged.

    After each player's updates of an iteration, the L2 norm of its weights
    is compared the same way against ``weight_factor`` times the median of
    its recent norms; an explosion there always stops the run (the update
    has happened; the runner's checkpoint hook, which runs after the
    iteration, never sees it).

    Under distributed training the checked values are reduced (maximum)
    over the ranks first, so every rank takes the same decision.

    Args:
        loss_factor (float): Explosion threshold for losses. Defaults to
            100.
        weight_factor (float): Explosion threshold for weight norms.
            Defaults to 10.
        window (int): Recent values the median is taken over. Defaults to
            50.
        warmup (int): Values needed before explosions are judged. Defaults
            to 10.
        min_loss_scale (float): Floor of the loss median, so that losses
            near 0 do not make every ordinary value an explosion. Defaults
            to 0.01.
        action (str): ``'stop'`` or ``'skip'`` for exploding losses.
            Defaults to ``'stop'``.
    """

    ACTIONS = ('stop', 'skip')

    def __init__(self,
                 loss_factor: float = 100.0,
                 weight_factor: float = 10.0,
                 window: int = 50,
                 warmup: int = 10,
                 min_loss_scale: float = 0.01,
                 action: str = 'stop') -> None:
        if action not in self.ACTIONS:
            raise ValueError(
                f'divergence_guard.action must be one of {self.ACTIONS}, got '
                f'{action!r}.')
        if loss_factor <= 1 or weight_factor <= 1:
            raise ValueError(
                'divergence_guard: loss_factor and weight_factor must be > 1 '
                f'(got {loss_factor}, {weight_factor}).')
        if window < 1 or warmup < 1 or warmup > window:
            raise ValueError(
                'divergence_guard: need 1 <= warmup <= window, got '
                f'warmup={warmup}, window={window}.')
        self.loss_factor = loss_factor
        self.weight_factor = weight_factor
        self.window = window
        self.warmup = warmup
        self.min_loss_scale = min_loss_scale
        self.action = action
        self._history: Dict[str, Deque[float]] = {}

    def _reduce_max(self, value: torch.Tensor) -> float:
        """The maximum of ``value`` over all ranks (itself alone)."""
        value = value.detach().float().reshape(1)
        if torch_dist.is_available() and torch_dist.is_initialized() and \
                torch_dist.get_world_size() > 1:
            value = value.clone()
            # NaN does not survive a MAX reduction on every backend: send
            # +Inf instead (both mean "not finite").
            value[~torch.isfinite(value)] = math.inf
            torch_dist.all_reduce(value, op=torch_dist.ReduceOp.MAX)
        return float(value.item())

    def _median(self, key: str) -> Optional[float]:
        """The median of ``key``'s recent values; ``None`` during warm-up."""
        history = self._history.get(key)
        if history is None or len(history) < self.warmup:
            return None
        return statistics.median(history)

    def _remember(self, key: str, value: float) -> None:
        """Add a value to ``key``'s rolling window."""
        self._history.setdefault(key, deque(maxlen=self.window)).append(value)

    def check_loss(self, loss: torch.Tensor, player: str) -> bool:
        """Judge a loss before its update.

        Args:
            loss (torch.Tensor): The scalar loss about to be
                back-propagated.
            player (str): ``'student'`` or ``'generator'``.

        Returns:
            bool: True to update, False to skip this update.

        Raises:
            FloatingPointError: The loss is NaN or Inf.
            TrainingDivergedError: The loss exploded and ``action='stop'``.
        """
        nonfinite = self._reduce_max(
            (~torch.isfinite(loss.detach())).any().float())
        if nonfinite > 0:
            raise FloatingPointError(
                f'DFAD {player} loss is {loss.item()} at '
                f'{_iteration_text()}; stopped before updating any weight, '
                'so no checkpoint of this state is written. '
                f'{self._fix(player)}')
        magnitude = self._reduce_max(loss.detach().abs())
        key = f'loss/{player}'
        median = self._median(key)
        if median is not None:
            scale = max(median, self.min_loss_scale)
            if magnitude > self.loss_factor * scale:
                what = (f'DFAD {player} loss {magnitude:.4g} at '
                        f'{_iteration_text()} is {magnitude / scale:.0f}x '
                        f'the median of its last {len(self._history[key])} '
                        f'values ({median:.4g})')
                if self.action == 'skip':
                    print_log(
                        f'{what}: this {player} update is skipped '
                        '(optim_wrapper.divergence_guard.action=skip).',
                        logger='current')
                    return False
                raise TrainingDivergedError(
                    f'{what}: training diverged; stopped before updating '
                    'any weight, so no checkpoint of this state is written. '
                    f'{self._fix(player)} (Or set optim_wrapper.'
                    "divergence_guard=dict(action='skip') to skip such "
                    'updates.)')
        self._remember(key, magnitude)
        return True

    def check_weights(self, parameters: Iterable[nn.Parameter],
                      player: str) -> None:
        """Judge a player's weights after its updates of an iteration.

        Args:
            parameters (Iterable[nn.Parameter]): The player's parameters.
            player (str): ``'student'`` or ``'generator'``.

        Raises:
            TrainingDivergedError: The weight norm is not finite or
                exploded.
        """
        norms = [p.detach().float().norm() for p in parameters]
        if not norms:
            return
        norm = self._reduce_max(torch.stack(norms).norm())
        key = f'weights/{player}'
        median = self._median(key)
        exploded = not math.isfinite(norm) or (
            median is not None and median > 0
            and norm > self.weight_factor * median)
        if exploded:
            fix = self._fix(player) if math.isfinite(norm) else (
                'Its losses were finite, so a gradient was not: clip_grad '
                'cannot bound it (the norm of a NaN gradient is NaN). Look '
                'for a loss whose gradient is not finite where its value '
                "is, e.g. a KL divergence against a teacher's softmax that "
                'underflows to 0 (LogSpaceKLDivergence computes the same '
                'value from log-probabilities), then resume from the '
                'newest checkpoint with --resume.')
            raise TrainingDivergedError(
                f'DFAD {player} weight norm is {norm:.4g} after '
                f'{_iteration_text()} (median of recent iterations: '
                f'{median if median is not None else float("nan"):.4g}): '
                'training diverged; stopped before this state is '
                f'checkpointed. {fix}')
        self._remember(key, norm)

    @staticmethod
    def _fix(player: str) -> str:
        """What to do after ``player``'s training diverged."""
        wrapper = 'architecture' if player == 'student' else 'generator'
        return (f'Lower the {player} learning rate or set clip_grad in '
                f'optim_wrapper.{wrapper}, then resume from the newest '
                'checkpoint with --resume.')
