# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .training_curves import plot_curves, read_scalars

__all__ = ['plot_curves', 'read_scalars']
