# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional, Sequence

import torch

from mmrazor_dfad.registry import MODELS
from .seeded_stream import SeededStream


@MODELS.register_module()
class RandomColorShuffle(SeededStream):
    """Random per-image colour transforms of a batch of RGB images, through
    which gradients reach the images (and the generator behind them).

    A generator trained for a few hundred steps draws images of one colour
    scheme; scenes whose every region takes a random colour (the scene
    benchmark's skies, grounds and tinted garments; street scenes under
    any light) then look, to the student, unlike anything it learnt on.
    Each image gets its own channel permutation, each channel of it is
    inverted (``255 - p``) with probability ``invert_prob`` and its
    contrast around mid-grey raised by a gain drawn from ``[1,
    max_contrast]`` (clipped to the pixel range). The teacher labels what
    the student sees, so no label rule is needed.

    Images are in the normalised space of the segmentor or classifier
    (``(p - mean) / std``); the transforms act on the pixels ``p`` in
    ``[0, 255]``.

    Draws come from a private generator seeded by ``seed``, the rank and a
    draw counter saved in the checkpoint, so a resumed run draws as an
    uninterrupted one.

    Args:
        mean (Sequence[float]): Per-channel mean of the normalisation.
            Defaults to ``(127.5, 127.5, 127.5)``.
        std (Sequence[float]): Per-channel std of the normalisation.
            Defaults to ``(127.5, 127.5, 127.5)``.
        permute (bool): Permute the channels of each image. Defaults to
            True.
        invert_prob (float): Probability that a channel of an image is
            inverted. Defaults to 0.5.
        max_contrast (float): Largest contrast gain (>= 1; 1 disables).
            Defaults to 1.5.
        seed (int, optional): Seed of the draws. Defaults to None: the run's
            seed (``torch.initial_seed()`` when built, which the runner sets
            from ``randomness.seed``).
    """

    def __init__(self,
                 mean: Sequence[float] = (127.5, 127.5, 127.5),
                 std: Sequence[float] = (127.5, 127.5, 127.5),
                 permute: bool = True,
                 invert_prob: float = 0.5,
                 max_contrast: float = 1.5,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        if len(mean) != len(std) or min(std) <= 0:
            raise ValueError(
                'RandomColorShuffle: mean and std need one value per channel '
                f'and std > 0, got mean={list(mean)}, std={list(std)}; pass '
                "the data preprocessor's mean and std.")
        if not 0 <= invert_prob <= 1 or max_contrast < 1:
            raise ValueError(
                'RandomColorShuffle: invert_prob must be in [0, 1] and '
                f'max_contrast >= 1, got {invert_prob} and {max_contrast}.')
        self.register_buffer(
            'mean', torch.tensor(mean, dtype=torch.float32), persistent=False)
        self.register_buffer(
            'std', torch.tensor(std, dtype=torch.float32), persistent=False)
        self.permute = permute
        self.invert_prob = invert_prob
        self.max_contrast = max_contrast

    def forward(self,
                images: torch.Tensor,
                rng: Optional[torch.Generator] = None) -> torch.Tensor:
        """Augment a batch.

        Args:
            images (torch.Tensor): Normalised images, shape ``(N, C, H, W)``
                with ``C`` the channels of ``mean``.
            rng (torch.Generator, optional): Draw from this CPU generator
                instead of the module's own stream (whose counter then
                stays), for callers that own the randomness (a pool).

        Returns:
            torch.Tensor: Shape ``(N, C, H, W)``, in the same space.
        """
        count, channels = images.shape[:2]
        if channels != self.mean.numel():
            raise ValueError(
                f'RandomColorShuffle: images have {channels} channels, the '
                f'normalisation {self.mean.numel()}.')
        if rng is None:
            rng = self.next_generator()
        # Draw everything first, in a fixed order, on the CPU generator.
        order = torch.stack([
            torch.randperm(channels, generator=rng)
            if self.permute else torch.arange(channels) for _ in range(count)
        ])
        invert = torch.rand(count, channels, generator=rng) < self.invert_prob
        gain = 1 + (self.max_contrast - 1) * torch.rand(
            count, channels, generator=rng)
        device, dtype = images.device, images.dtype
        mean = self.mean.to(device, dtype).view(1, -1, 1, 1)
        std = self.std.to(device, dtype).view(1, -1, 1, 1)
        pixels = images * std + mean
        # (N, C, H, W): channel c of image i is channel order[i, c].
        pixels = torch.gather(
            pixels, 1,
            order.to(device)[:, :, None, None].expand_as(pixels))
        invert = invert.to(device)[:, :, None, None]
        pixels = torch.where(invert, 255 - pixels, pixels)
        gain = gain.to(device, dtype)[:, :, None, None]
        pixels = (127.5 + (pixels - 127.5) * gain).clamp(0, 255)
        return (pixels - mean) / std
