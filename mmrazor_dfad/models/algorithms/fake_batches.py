# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Which fake images each update sees: fresh from the generator and, with
a replay pool, remembered from earlier updates."""
from typing import Callable, Optional

import torch
import torch.nn as nn


def student_images(generate: Callable[[int],
                                      torch.Tensor], pool: Optional[nn.Module],
                   batch_size: int, device: torch.device) -> torch.Tensor:
    """The detached images of one student update.

    The pool decides how many are replayed (``pool.split``). Replayed images
    are drawn before this update's fresh ones are stored, so replay shows
    the student images of earlier updates; fresh ones are stored if the pool
    keeps student images.

    Args:
        generate (callable): ``generate(n)`` gives ``n`` fresh images.
        pool (nn.Module, optional): A :class:`SyntheticImagePool`.
        batch_size (int): Images of the update.
        device (torch.device): Where the generator's images are.

    Returns:
        torch.Tensor: Shape ``(batch_size, C, H, W)``, fresh images first.
    """
    replayed = pool.split(batch_size) if pool is not None else 0
    parts = []
    if replayed < batch_size:
        with torch.no_grad():
            parts.append(generate(batch_size - replayed))
    if replayed:
        parts.append(pool.sample(replayed).to(device))
    if replayed < batch_size and pool is not None and \
            pool.stores_student_images:
        pool.add(parts[0])
    return torch.cat(parts) if len(parts) > 1 else parts[0]


def remember_generator_images(pool: Optional[nn.Module],
                              fake_images: torch.Tensor) -> None:
    """Store the generator update's images if the pool keeps them."""
    if pool is not None and pool.stores_generator_images:
        pool.add(fake_images)
