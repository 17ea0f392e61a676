# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .synthetic_image_pool import SyntheticImagePool

__all__ = ['SyntheticImagePool']
