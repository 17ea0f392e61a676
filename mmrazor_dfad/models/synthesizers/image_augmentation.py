# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS
from .seeded_stream import SeededStream


def shift_images(images: torch.Tensor, shifts: torch.Tensor,
                 wrap: bool) -> torch.Tensor:
    """Translate each image by its own ``(dy, dx)``, differentiably.

    Args:
        images (torch.Tensor): Shape ``(N, C, H, W)``.
        shifts (torch.Tensor): Integer shifts, shape ``(N, 2)``.
        wrap (bool): Roll (pixels leaving one side enter the other), as
            DeepInversion's jitter; otherwise pad with zeros and crop, as
            the padded random crops of NAYER and CIFAR training.

    Returns:
        torch.Tensor: Shape ``(N, C, H, W)``.
    """
    count, _, height, width = images.shape
    shifts = shifts.to(images.device)
    rows = torch.arange(height, device=images.device)[None] - shifts[:, :1]
    cols = torch.arange(width, device=images.device)[None] - shifts[:, 1:]
    if wrap:
        source, rows, cols = images, rows % height, cols % width
    else:
        pad = int(shifts.abs().max()) if count else 0
        source = F.pad(images, (pad, pad, pad, pad))
        rows, cols = rows + pad, cols + pad
    batch = torch.arange(count, device=images.device)[:, None, None]
    window = source.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:,
                                                                      None, :]]
    return window.permute(0, 3, 1, 2).contiguous()


@MODELS.register_module()
class RandomShiftFlip(SeededStream):
    """Random translations and horizontal flips of a batch, through which
    gradients reach the images (and the generator or pixels behind them).

    Teacher and student see the same augmented batch, so the teacher labels
    what the student sees. Used before the generator's update (the
    generator must fool the pair on shifted and flipped versions of its
    images, not on one pixel-exact pattern) and at every step of
    :class:`DataImpressionSynthesizer` (DeepInversion's jitter).

    Draws come from a private generator seeded by ``seed``, the rank and a
    draw counter saved in the checkpoint, so a resumed run augments as an
    uninterrupted one.

    Args:
        max_shift (int): Shifts are drawn from ``[-max_shift, max_shift]``
            pixels per axis and image; 0 disables. Defaults to 2.
        wrap (bool): Roll the image (True, DeepInversion) or pad with zeros
            (False, padded random crops). Defaults to True.
        flip (bool): Flip half of the images horizontally. Defaults to True.
        seed (int, optional): Seed of the draws. Defaults to None: the run's
            seed (``torch.initial_seed()`` when built, which the runner sets
            from ``randomness.seed``).
    """

    def __init__(self,
                 max_shift: int = 2,
                 wrap: bool = True,
                 flip: bool = True,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        if isinstance(max_shift,
                      bool) or not isinstance(max_shift, int) or max_shift < 0:
            raise ValueError('RandomShiftFlip: max_shift must be an integer '
                             f'number of pixels >= 0, got {max_shift!r}.')
        self.max_shift = max_shift
        self.wrap = wrap
        self.flip = flip

    def forward(self,
                images: torch.Tensor,
                rng: Optional[torch.Generator] = None) -> torch.Tensor:
        """Augment a batch.

        Args:
            images (torch.Tensor): Shape ``(N, C, H, W)``.
            rng (torch.Generator, optional): Draw from this CPU generator
                instead of the module's own stream (whose counter then
                stays), for callers that own the randomness.

        Returns:
            torch.Tensor: Shape ``(N, C, H, W)``.
        """
        if rng is None:
            rng = self.next_generator()
        count = images.shape[0]
        if self.max_shift:
            shifts = torch.randint(
                -self.max_shift, self.max_shift + 1, (count, 2), generator=rng)
            images = shift_images(images, shifts, self.wrap)
        if self.flip:
            flip = (torch.rand(count, generator=rng) < 0.5).to(images.device)
            images = torch.where(flip[:, None, None, None], images.flip(-1),
                                 images)
        return images
