# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional, Sequence

import numpy as np
import torch
import torch.distributed as torch_dist
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS

# Spreads the per-rank, per-draw sampling seeds apart (large primes).
_RANK_STRIDE = 1_000_003
_STEP_STRIDE = 7_919


@MODELS.register_module()
class SyntheticImagePool(nn.Module):
    """A bounded memory of generated images that student updates replay.

    Plain DFAD trains the student only on the generator's newest images; as
    the generator moves on, the student forgets what it learnt on earlier
    ones (the drift data-free KD papers after DFAD fix with memories of
    past samples: CMI / Fast-DFKD image pools, MB-DFKD memory banks). The
    pool keeps the last ``capacity`` generated images (first in, first
    out): the fresh batches of the student updates, the batches of the
    generator updates, or both (``fill_from``). Each student update then
    uses ``1 - replay_fraction`` of its batch fresh from the generator and
    ``replay_fraction`` drawn uniformly from the pool, optionally augmented;
    the teacher labels every image as the student sees it, so augmentation
    never needs label rules. With ``replay_fraction=1`` student updates
    generate nothing: they learn only from what the generator's updates
    stored (cheap student steps, many per generator step).

    State lives in buffers, so it is saved with the algorithm's checkpoint
    (atomically, with everything else) and a resumed run replays exactly
    what an uninterrupted one would. Sampling uses a seed derived from
    ``seed``, the rank and a draw counter, not the global random state.
    Under DDP every rank adds the images of all ranks (``all_gather``), so
    all pools are identical and rank 0's checkpoint restores every rank.

    Args:
        capacity (int): Images kept at most.
        image_shape (Sequence[int]): ``(C, H, W)`` of the images.
        replay_fraction (float): Share of each student batch drawn from the
            pool once it holds images, in ``[0, 1]``. Defaults to 0.5.
        fill_from (str): Which fresh images are stored: ``'student'`` (the
            fresh part of student batches), ``'generator'`` (the batches of
            generator updates, detached) or ``'both'``. Defaults to
            ``'student'``; ``replay_fraction=1`` needs ``'generator'`` or
            ``'both'``.
        flip (bool): Random horizontal flips of replayed images. Defaults to
            False.
        crop_padding (int): Random crops of this many pixels of zero
            padding (translations) of replayed images; 0 disables. Defaults
            to 0.
        mixup_alpha (float): Mix each replayed image with another replayed
            one, ``lam * a + (1 - lam) * b``, ``lam ~ Beta(alpha, alpha)``
            per image (the teacher labels the mixture); 0 disables.
            Defaults to 0.
        dtype (str): Storage type, ``'float16'`` (half the memory and
            checkpoint size) or ``'float32'``. Defaults to ``'float16'``.
        seed (int, optional): Seed of the sampling and augmentation.
            Defaults to None: the run's seed (``torch.initial_seed()`` when
            the pool is built, which the runner sets from
            ``randomness.seed``), so runs of different seeds replay
            differently. It is saved with the pool, so a resumed run keeps
            it.
    """

    def __init__(self,
                 capacity: int,
                 image_shape: Sequence[int],
                 replay_fraction: float = 0.5,
                 fill_from: str = 'student',
                 flip: bool = False,
                 crop_padding: int = 0,
                 mixup_alpha: float = 0.0,
                 dtype: str = 'float16',
                 seed: Optional[int] = None) -> None:
        super().__init__()
        if isinstance(capacity,
                      bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(
                f'SyntheticImagePool: capacity must be a positive number of '
                f'images, got {capacity!r}.')
        if not 0 <= replay_fraction <= 1:
            raise ValueError(
                'SyntheticImagePool: replay_fraction is the share of each '
                'student batch drawn from the pool and must be in [0, 1], '
                f'got {replay_fraction!r}.')
        if fill_from not in ('student', 'generator', 'both'):
            raise ValueError(
                "SyntheticImagePool: fill_from must be 'student', "
                f"'generator' or 'both', got {fill_from!r}.")
        if replay_fraction == 1 and fill_from == 'student':
            raise ValueError(
                'SyntheticImagePool: with replay_fraction=1 student updates '
                'generate no images, so the pool must be filled by the '
                "generator's updates: set fill_from='generator' (or 'both').")
        if dtype not in ('float16', 'float32'):
            raise ValueError("SyntheticImagePool: dtype must be 'float16' or "
                             f"'float32', got {dtype!r}.")
        if len(image_shape) != 3:
            raise ValueError('SyntheticImagePool: image_shape is (C, H, W), '
                             f'got {image_shape!r}.')
        if crop_padding < 0:
            raise ValueError('SyntheticImagePool: crop_padding must be >= 0.')
        self.capacity = capacity
        self.replay_fraction = replay_fraction
        self.fill_from = fill_from
        self.flip = flip
        if mixup_alpha < 0:
            raise ValueError('SyntheticImagePool: mixup_alpha must be >= 0.')
        self.crop_padding = crop_padding
        self.mixup_alpha = mixup_alpha
        self.seed = int(seed) if seed is not None else \
            torch.initial_seed() % 2**31
        self.register_buffer(
            'images',
            torch.zeros(capacity, *image_shape, dtype=getattr(torch, dtype)))
        # Images held, next write position, draws so far.
        self.register_buffer('size', torch.zeros((), dtype=torch.long))
        self.register_buffer('cursor', torch.zeros((), dtype=torch.long))
        self.register_buffer('draws', torch.zeros((), dtype=torch.long))

    def __len__(self) -> int:
        return int(self.size)

    @property
    def stores_student_images(self) -> bool:
        """Whether the fresh images of student updates are added."""
        return self.fill_from in ('student', 'both')

    @property
    def stores_generator_images(self) -> bool:
        """Whether the images of generator updates are added."""
        return self.fill_from in ('generator', 'both')

    def split(self, batch_size: int) -> int:
        """How many of ``batch_size`` images to replay (0 while empty)."""
        if len(self) == 0:
            return 0
        return int(round(batch_size * self.replay_fraction))

    @torch.no_grad()
    def add(self, images: torch.Tensor) -> None:
        """Store images (detached), dropping the oldest beyond capacity.

        Under DDP the images of every rank are added, in rank order.

        Args:
            images (torch.Tensor): Shape ``(N, C, H, W)``.
        """
        images = images.detach()
        if torch_dist.is_available() and torch_dist.is_initialized() and \
                torch_dist.get_world_size() > 1:
            gathered = [
                torch.empty_like(images)
                for _ in range(torch_dist.get_world_size())
            ]
            torch_dist.all_gather(gathered, images.contiguous())
            images = torch.cat(gathered)
        images = images[-self.capacity:].to(self.images.dtype)
        count = images.shape[0]
        positions = (self.cursor + torch.arange(
            count, device=self.images.device)) % self.capacity
        self.images[positions] = images.to(self.images.device)
        self.cursor.copy_((self.cursor + count) % self.capacity)
        self.size.copy_(torch.clamp(self.size + count, max=self.capacity))

    def get_extra_state(self) -> torch.Tensor:
        """Save the sampling seed with the images (a tensor: MMEngine
        broadcasts every state-dict value under DDP)."""
        return torch.tensor(self.seed, dtype=torch.long)

    def set_extra_state(self, state: torch.Tensor) -> None:
        """Restore the sampling seed of the saved run."""
        self.seed = int(state)

    @torch.no_grad()
    def sample(self,
               count: int,
               dtype: Optional[torch.dtype] = None) -> torch.Tensor:
        """Draw ``count`` stored images uniformly, with replacement, and
        augment them.

        Args:
            count (int): Images to draw.
            dtype (torch.dtype, optional): Type of the result. Defaults to
                float32.

        Returns:
            torch.Tensor: Shape ``(count, C, H, W)``.
        """
        if len(self) == 0:
            raise RuntimeError('SyntheticImagePool.sample: the pool is empty.')
        rank = torch_dist.get_rank() if torch_dist.is_available() and \
            torch_dist.is_initialized() else 0
        rng = torch.Generator().manual_seed(self.seed + rank * _RANK_STRIDE +
                                            int(self.draws) * _STEP_STRIDE)
        self.draws += 1
        indices = torch.randint(len(self), (count, ), generator=rng)
        images = self.images[indices.to(self.images.device)].to(
            dtype or torch.float32)
        if self.flip:
            flip = torch.rand(count, generator=rng) < 0.5
            images[flip.to(images.device)] = images[flip.to(
                images.device)].flip(-1)
        if self.crop_padding:
            images = self._random_translate(images, rng)
        if self.mixup_alpha > 0:
            images = self._mixup(images, rng)
        return images

    def _mixup(self, images: torch.Tensor,
               rng: torch.Generator) -> torch.Tensor:
        """Mix every image with a random partner of the same draw."""
        count = images.shape[0]
        partners = torch.randperm(count, generator=rng).to(images.device)
        # Beta(a, a) from two Gamma(a) draws of the private generator.
        seed = int(torch.randint(2**31 - 1, (1, ), generator=rng))
        gammas = np.random.default_rng(seed).gamma(
            self.mixup_alpha, size=(2, count))
        lam = torch.as_tensor(
            gammas[0] / (gammas[0] + gammas[1]),
            dtype=images.dtype,
            device=images.device).view(-1, 1, 1, 1)
        return lam * images + (1 - lam) * images[partners]

    def _random_translate(self, images: torch.Tensor,
                          rng: torch.Generator) -> torch.Tensor:
        """Random crops of the zero-padded images (one shift per image)."""
        pad = self.crop_padding
        count, _, height, width = images.shape
        padded = F.pad(images, (pad, pad, pad, pad))
        shifts = torch.randint(0, 2 * pad + 1, (count, 2), generator=rng)
        rows = (torch.arange(height)[None, :] + shifts[:, :1]).to(
            images.device)
        cols = (torch.arange(width)[None, :] + shifts[:, 1:]).to(images.device)
        batch = torch.arange(count, device=images.device)[:, None, None]
        # (N, H, W, C) gather of each image's window, back to (N, C, H, W).
        window = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None],
                                            cols[:, None, :]]
        return window.permute(0, 3, 1, 2).contiguous()
