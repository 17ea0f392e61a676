# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from typing import Dict, Mapping, Optional

import torch
from mmengine.optim import OptimWrapper

from mmrazor_dfad.registry import OPTIM_WRAPPERS
from .divergence_guard import DivergenceGuard


@OPTIM_WRAPPERS.register_module()
class PlayerOptimWrapper(OptimWrapper):
    """The optimizer wrapper of one player of DFAD's game (the student or the
    generator), shaped like MMEngine's ``AmpOptimWrapper``: an
    ``OptimWrapper`` whose :meth:`update_params` first asks the player's
    :class:`DivergenceGuard` (NaN/Inf stops the run before any weight moves;
    an explosion stops it or, with ``action='skip'``, skips the update), plus
    what the alternating schedule asks of one side: :meth:`check_weights`
    after the player's updates of an iteration, :meth:`skips_update` (every
    learning rate is 0 and ``skip_at_zero_lr``: a step could not move the
    weights) and :meth:`count_skipped_update` (a skipped update still counts
    for gradient accumulation; a window it would have closed is dropped).

    Clipping, accumulation, ``optim_context`` and the state dict (so the
    checkpoint keys) are ``OptimWrapper``'s, or, through :func:`as_player`,
    those of any wrapper class, e.g. ``AmpOptimWrapper``.

    Args:
        *args: As ``OptimWrapper``.
        player (str): ``'student'`` or ``'generator'``, for messages.
            Defaults to ``'student'``.
        divergence_guard (dict | None): Arguments of :class:`DivergenceGuard`.
            None checks NaN/Inf only. Defaults to ``dict()`` (its defaults).
        skip_at_zero_lr (bool): Skip updates while every learning rate is 0.
            Defaults to False.
        **kwargs: As ``OptimWrapper``.
    """

    def __init__(self,
                 *args,
                 player: str = 'student',
                 divergence_guard: Optional[Dict] = dict(),
                 skip_at_zero_lr: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_player(player, divergence_guard, skip_at_zero_lr)

    def set_player(self, player: str, divergence_guard: Optional[Dict],
                   skip_at_zero_lr: bool) -> None:
        """Set the player, guard and skip switch (see the class)."""
        if divergence_guard is None or divergence_guard is False:
            divergence_guard = dict(
                loss_factor=math.inf, weight_factor=math.inf)
        if not isinstance(divergence_guard, Mapping):
            raise TypeError('optim_wrapper.divergence_guard must be a dict of '
                            'DivergenceGuard arguments or None, got '
                            f'{divergence_guard!r}.')
        self.player = player
        self.divergence_guard = DivergenceGuard(**divergence_guard)
        self.skip_at_zero_lr = skip_at_zero_lr

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        """``OptimWrapper.update_params`` unless the divergence guard
        rejects ``loss`` (then the update counts as skipped)."""
        if self.divergence_guard.check_loss(loss, self.player):
            super().update_params(loss, step_kwargs, zero_kwargs)
        else:
            self.count_skipped_update()

    def check_weights(self) -> None:
        """Check the norm of the weights this wrapper optimises (after the
        player's updates of an iteration)."""
        self.divergence_guard.check_weights(
            (p for group in self.param_groups for p in group['params']),
            self.player)

    def can_learn(self) -> bool:
        """Whether a step could change the weights: some parameter group has
        a learning rate other than 0."""
        return any(group['lr'] != 0 for group in self.param_groups)

    def skips_update(self) -> bool:
        """Whether the schedule skips this player's next update: it cannot
        learn and ``skip_at_zero_lr`` is set."""
        return self.skip_at_zero_lr and not self.can_learn()

    def count_skipped_update(self) -> None:
        """Count an update that was not run, as ``update_params`` would have
        (the accumulation count stays in step with the iterations)."""
        # MMEngine's public way to advance the count is a backward pass; one
        # of a constant reaches no parameter and costs nothing.
        self.backward(torch.zeros((), requires_grad=True))
        if self.should_update():
            self.zero_grad()


_PLAYER_CLASSES = {OptimWrapper: PlayerOptimWrapper}


def as_player(optim_wrapper: OptimWrapper, player: str,
              divergence_guard: Optional[Dict],
              skip_at_zero_lr: bool) -> PlayerOptimWrapper:
    """Make ``optim_wrapper`` the :class:`PlayerOptimWrapper` of ``player``,
    in place: the same object, state and class behaviour (an
    ``AmpOptimWrapper`` keeps its loss scaler), now also an instance of
    ``PlayerOptimWrapper``, with the given guard and skip switch.

    Args:
        optim_wrapper (OptimWrapper): A side's wrapper.
        player (str): ``'student'`` or ``'generator'``.
        divergence_guard (dict | None): See :class:`PlayerOptimWrapper`.
        skip_at_zero_lr (bool): See :class:`PlayerOptimWrapper`.

    Returns:
        PlayerOptimWrapper: ``optim_wrapper`` itself.
    """
    if not isinstance(optim_wrapper, OptimWrapper):
        raise TypeError(f'The {player} needs an OptimWrapper, got '
                        f'{type(optim_wrapper).__name__}.')
    cls = type(optim_wrapper)
    if not isinstance(optim_wrapper, PlayerOptimWrapper):
        if cls not in _PLAYER_CLASSES:
            _PLAYER_CLASSES[cls] = type(f'Player{cls.__name__}',
                                        (PlayerOptimWrapper, cls), {})
        optim_wrapper.__class__ = _PLAYER_CLASSES[cls]
    optim_wrapper.set_player(player, divergence_guard, skip_at_zero_lr)
    return optim_wrapper
