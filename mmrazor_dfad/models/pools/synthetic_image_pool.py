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
        cutmix_alpha (float): CutMix of replayed images: a box of each
            image is replaced by the same box of a random partner, its
            area share ``1 - lam``, ``lam ~ Beta(alpha, alpha)`` (the
            teacher labels the result); 0 disables. Exclusive with
            ``mixup_alpha``. Defaults to 0.
        persistent_capacity (int): Size of a second region for images added
            with ``add(images, persistent=True)`` (e.g. a bank optimised
            before training by :class:`DataImpressionHook`): first in,
            first out among themselves, never displaced by the generator's
            images. 0 disables. Defaults to 0.
        persistent_fraction (float, optional): Share of each draw taken
            from the persistent region once both regions hold images.
            Defaults to None: uniform over all held images.
        augmentation (dict, optional): Config of a module applied last to
            every replayed batch, called as ``module(images, rng)`` with the
            pool's own draw generator (e.g. ``dict(type=
            'RandomColorShuffle')``). Defaults to None (off).
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
                 cutmix_alpha: float = 0.0,
                 persistent_capacity: int = 0,
                 persistent_fraction: Optional[float] = None,
                 augmentation: Optional[dict] = None,
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
        if cutmix_alpha < 0:
            raise ValueError('SyntheticImagePool: cutmix_alpha must be >= 0.')
        if cutmix_alpha > 0 and mixup_alpha > 0:
            raise ValueError(
                'SyntheticImagePool: mixup_alpha and cutmix_alpha are '
                'exclusive (each replayed image is mixed once); set one of '
                'them to 0.')
        if isinstance(persistent_capacity, bool) or not isinstance(
                persistent_capacity, int) or persistent_capacity < 0:
            raise ValueError(
                'SyntheticImagePool: persistent_capacity must be an integer '
                f'>= 0, got {persistent_capacity!r}.')
        if persistent_fraction is not None and not (
                0 <= persistent_fraction <= 1 and persistent_capacity):
            raise ValueError(
                'SyntheticImagePool: persistent_fraction is the share of '
                'each draw from the persistent region: it needs '
                'persistent_capacity > 0 and a value in [0, 1], got '
                f'{persistent_fraction!r}.')
        self.crop_padding = crop_padding
        self.mixup_alpha = mixup_alpha
        self.cutmix_alpha = cutmix_alpha
        self.persistent_capacity = persistent_capacity
        self.persistent_fraction = persistent_fraction
        self.augmentation = MODELS.build(
            augmentation) if augmentation is not None else None
        self.seed = int(seed) if seed is not None else \
            torch.initial_seed() % 2**31
        self.register_buffer(
            'images',
            torch.zeros(capacity, *image_shape, dtype=getattr(torch, dtype)))
        # Images held, next write position, draws so far.
        self.register_buffer('size', torch.zeros((), dtype=torch.long))
        self.register_buffer('cursor', torch.zeros((), dtype=torch.long))
        self.register_buffer('draws', torch.zeros((), dtype=torch.long))
        if persistent_capacity:
            # Registered only when used, so checkpoints of pools without
            # the region keep their keys.
            self.register_buffer(
                'persistent_images',
                torch.zeros(
                    persistent_capacity,
                    *image_shape,
                    dtype=getattr(torch, dtype)))
            self.register_buffer('persistent_size',
                                 torch.zeros((), dtype=torch.long))
            self.register_buffer('persistent_cursor',
                                 torch.zeros((), dtype=torch.long))

    def __len__(self) -> int:
        return int(self.size) + self.persistent_count

    @property
    def persistent_count(self) -> int:
        """Images held in the persistent region."""
        return int(self.persistent_size) if self.persistent_capacity else 0

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
    def add(self, images: torch.Tensor, persistent: bool = False) -> None:
        """Store images (detached), dropping the oldest beyond capacity.

        Under DDP the images of every rank are added, in rank order.

        Args:
            images (torch.Tensor): Shape ``(N, C, H, W)``.
            persistent (bool): Store them in the persistent region.
        """
        if persistent and not self.persistent_capacity:
            raise ValueError(
                'SyntheticImagePool.add(persistent=True) needs a persistent '
                'region: set persistent_capacity in the pool config.')
        images = images.detach()
        if torch_dist.is_available() and torch_dist.is_initialized() and \
                torch_dist.get_world_size() > 1:
            gathered = [
                torch.empty_like(images)
                for _ in range(torch_dist.get_world_size())
            ]
            torch_dist.all_gather(gathered, images.contiguous())
            images = torch.cat(gathered)
        if persistent:
            self._write(images, self.persistent_images, self.persistent_size,
                        self.persistent_cursor)
        else:
            self._write(images, self.images, self.size, self.cursor)

    @staticmethod
    def _write(images: torch.Tensor, store: torch.Tensor, size: torch.Tensor,
               cursor: torch.Tensor) -> None:
        """First-in-first-out write of ``images`` into one region."""
        capacity = store.shape[0]
        images = images[-capacity:].to(store.dtype)
        count = images.shape[0]
        positions = (cursor + torch.arange(count, device=store.device)) % \
            capacity
        store[positions] = images.to(store.device)
        cursor.copy_((cursor + count) % capacity)
        size.copy_(torch.clamp(size + count, max=capacity))

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
        images = self._draw(count, rng).to(dtype or torch.float32)
        if self.flip:
            flip = torch.rand(count, generator=rng) < 0.5
            images[flip.to(images.device)] = images[flip.to(
                images.device)].flip(-1)
        if self.crop_padding:
            images = self._random_translate(images, rng)
        if self.mixup_alpha > 0:
            images = self._mixup(images, rng)
        if self.cutmix_alpha > 0:
            images = self._cutmix(images, rng)
        if self.augmentation is not None:
            images = self.augmentation(images, rng)
        return images

    def _draw(self, count: int, rng: torch.Generator) -> torch.Tensor:
        """``count`` stored images, uniformly over all held ones or with
        ``persistent_fraction`` of them from the persistent region."""
        fifo, persistent = int(self.size), self.persistent_count
        if persistent == 0:
            from_persistent = 0
        elif fifo == 0:
            from_persistent = count
        elif self.persistent_fraction is not None:
            from_persistent = int(round(count * self.persistent_fraction))
        else:
            # Uniform over all held images.
            indices = torch.randint(
                fifo + persistent, (count, ), generator=rng)
            from_persistent = int((indices >= fifo).sum())
        parts = []
        if count - from_persistent:
            indices = torch.randint(
                fifo, (count - from_persistent, ), generator=rng)
            parts.append(self.images[indices.to(self.images.device)])
        if from_persistent:
            indices = torch.randint(
                persistent, (from_persistent, ), generator=rng)
            parts.append(self.persistent_images[indices.to(
                self.persistent_images.device)])
        return torch.cat(parts) if len(parts) > 1 else parts[0]

    def _cutmix(self, images: torch.Tensor,
                rng: torch.Generator) -> torch.Tensor:
        """Paste a random box of a random partner into every image."""
        count, _, height, width = images.shape
        partners = torch.randperm(count, generator=rng).to(images.device)
        seed = int(torch.randint(2**31 - 1, (1, ), generator=rng))
        gammas = np.random.default_rng(seed).gamma(
            self.cutmix_alpha, size=(2, count))
        lam = torch.as_tensor(gammas[0] / (gammas[0] + gammas[1]))
        # Box of area share (1 - lam), centred uniformly, clipped.
        cut = torch.sqrt(1 - lam)
        box_h, box_w = (cut * height).long(), (cut * width).long()
        centre_y = torch.randint(height, (count, ), generator=rng)
        centre_x = torch.randint(width, (count, ), generator=rng)
        top = (centre_y - box_h // 2).clamp(0, height)
        bottom = (centre_y + box_h - box_h // 2).clamp(0, height)
        left = (centre_x - box_w // 2).clamp(0, width)
        right = (centre_x + box_w - box_w // 2).clamp(0, width)
        rows = torch.arange(height)[None]
        cols = torch.arange(width)[None]
        in_rows = (rows >= top[:, None]) & (rows < bottom[:, None])
        in_cols = (cols >= left[:, None]) & (cols < right[:, None])
        # (N, 1, H, W): inside the box of image i.
        inside = (in_rows[:, :, None] & in_cols[:, None, :])[:, None]
        inside = inside.to(images.device)
        return torch.where(inside, images[partners], images)

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
