# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Colour-coded class masks, for grids of generated images beside the
teacher's and the student's predictions."""
import colorsys
from typing import Optional, Sequence

import torch


def default_palette(num_classes: int) -> torch.Tensor:
    """One RGB colour per class: class 0 (background in the mosaic and most
    benchmarks) black, the others evenly spaced around the hue circle.

    Args:
        num_classes (int): Classes to colour.

    Returns:
        torch.Tensor: Shape ``(num_classes, 3)``, values in ``[0, 1]``.
    """
    colours = [(0.0, 0.0, 0.0)]
    others = max(num_classes - 1, 1)
    for index in range(num_classes - 1):
        colours.append(colorsys.hsv_to_rgb(index / others, 0.85, 1.0))
    return torch.tensor(colours[:num_classes], dtype=torch.float32)


def colour_masks(
        masks: torch.Tensor,
        num_classes: int,
        palette: Optional[Sequence[Sequence[int]]] = None) -> torch.Tensor:
    """Class indices painted as colours.

    Args:
        masks (torch.Tensor): Shape ``(N, H, W)``, class indices.
        num_classes (int): Classes the masks can hold.
        palette (sequence, optional): One ``[R, G, B]`` (0-255) per class,
            as in a dataset's ``metainfo['palette']``; :func:`default_palette`
            when None.

    Returns:
        torch.Tensor: Shape ``(N, 3, H, W)``, values in ``[0, 1]``.
    """
    if palette is None:
        colours = default_palette(num_classes)
    else:
        colours = torch.tensor(palette, dtype=torch.float32) / 255
        if len(colours) < num_classes:
            raise ValueError(f'The palette has {len(colours)} colours for '
                             f'{num_classes} classes: give one per class.')
    painted = colours.to(masks.device)[masks.long().clamp(0, len(colours) - 1)]
    return painted.permute(0, 3, 1, 2).contiguous()
