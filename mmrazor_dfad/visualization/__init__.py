# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .segmentation_masks import colour_masks, default_palette
from .training_curves import plot_curves, read_scalars

__all__ = ['colour_masks', 'default_palette', 'plot_curves', 'read_scalars']
