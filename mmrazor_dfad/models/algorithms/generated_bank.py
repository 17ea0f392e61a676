# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Images of a :class:`GeneratedBankDataset`: the generator at fixed,
per-index latents, for label-free validation."""
from typing import List, Optional

import numpy as np
import torch
import torch.nn as nn

from mmrazor_dfad.models.generators.latent import (generate_from_latent,
                                                   generator_device)


def bank_latents(indices: List[int], seeds: List[int], latent_dim: int,
                 partner: int) -> torch.Tensor:
    """Latent ``i`` of bank ``seed``: drawn from its own random generator
    seeded with ``(seed, partner, i)``.

    NumPy's SeedSequence mixes all three numbers into the state (PyTorch's
    CPU generator keeps only 32 bits of a seed), so a latent is the same in
    every call, process and batch split, and never one that training draws.

    Args:
        indices (list[int]): Bank indices, length ``N``.
        seeds (list[int]): The bank's seed for each index, length ``N``.
        latent_dim (int): Length of each latent.
        partner (int): 0 for the image itself, 1 for its mixing partner.

    Returns:
        torch.Tensor: Shape ``(N, latent_dim)``, float32, on the CPU.
    """
    return torch.from_numpy(
        np.stack([
            np.random.default_rng([int(seed), partner,
                                   int(index)]).standard_normal(latent_dim)
            for index, seed in zip(indices, seeds)
        ]).astype(np.float32))


def bank_images(generator: nn.Module,
                indices: List[int],
                seeds: List[int],
                latent_scales: Optional[List[float]] = None,
                mixes: Optional[List[bool]] = None) -> torch.Tensor:
    """The bank's images from the generator as it is (in eval mode inside
    validation: BatchNorm uses its running statistics, so each image
    depends on its latent only).

    Args:
        generator (nn.Module): An unwrapped generator with ``latent_dim``,
            called as ``generator(data=z, batch_size=N)``.
        indices (list[int]): Bank indices, length ``N``.
        seeds (list[int]): The bank's seed for each index, length ``N``.
        latent_scales (list[float], optional): Factor on each latent.
        mixes (list[bool], optional): Average image ``i`` with the image of
            a second latent (partner 1 of :func:`bank_latents`).

    Returns:
        torch.Tensor: Shape ``(N, C, H, W)``, on the generator's device.
    """
    latent_dim = getattr(generator, 'latent_dim', None)
    if latent_dim is None:
        raise AttributeError(
            f'{type(generator).__name__} has no latent_dim: a generated bank '
            'needs a generator called as generator(data=z, batch_size=N), as '
            'MMRazor\'s generators are.')
    scales = torch.tensor(
        latent_scales if latent_scales is not None else [1.0] *
        len(indices)).view(-1, 1)
    images = generate_from_latent(
        generator,
        bank_latents(indices, seeds, latent_dim, 0) * scales)
    if mixes is not None and any(mixes):
        partners = generate_from_latent(
            generator,
            bank_latents(indices, seeds, latent_dim, 1) * scales)
        weight = torch.tensor([0.5 if mix else 1.0 for mix in mixes],
                              device=generator_device(generator)).view(
                                  -1, 1, 1, 1)
        images = weight * images + (1 - weight) * partners
    return images
