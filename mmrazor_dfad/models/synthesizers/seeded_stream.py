# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional

import torch
import torch.distributed as torch_dist
import torch.nn as nn

# Spreads the per-rank, per-draw seeds apart (large primes).
_RANK_STRIDE = 1_000_003
_STEP_STRIDE = 7_919


def current_rank() -> int:
    """The distributed rank, 0 when not distributed."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        return torch_dist.get_rank()
    return 0


def draw_seed(seed: int, rank: int, draw: int) -> int:
    """The seed of draw number ``draw`` of ``rank`` in a stream ``seed``.

    Every draw of every rank gets its own seed, derived rather than carried
    in a random generator's state: a checkpoint (written by rank 0 and read
    by every rank) then only needs ``seed`` and the draw counter, and each
    rank still resumes its own stream.
    """
    return seed + rank * _RANK_STRIDE + draw * _STEP_STRIDE


class SeededStream(nn.Module):
    """A module's private random stream that survives checkpoints.

    Each draw gets a fresh ``torch.Generator`` seeded by ``seed``, the rank
    and a draw counter; the counter is a buffer and the seed the extra
    state, so a resumed run draws what an uninterrupted one would, and no
    draw touches the global random state.

    Args:
        seed (int, optional): Defaults to None: the run's seed
            (``torch.initial_seed()`` when built, which the runner sets from
            ``randomness.seed``).
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        super().__init__()
        self.seed = int(seed) if seed is not None else \
            torch.initial_seed() % 2**31
        self.register_buffer('draws', torch.zeros((), dtype=torch.long))

    def get_extra_state(self) -> torch.Tensor:
        """Save the seed (a tensor, as MMEngine broadcasts states)."""
        return torch.tensor(self.seed, dtype=torch.long)

    def set_extra_state(self, state: torch.Tensor) -> None:
        """Restore the seed of the saved run."""
        self.seed = int(state)

    def next_generator(self) -> torch.Generator:
        """The CPU generator of the next draw (advances the counter)."""
        generator = torch.Generator().manual_seed(
            draw_seed(self.seed, current_rank(), int(self.draws)))
        self.draws += 1
        return generator
