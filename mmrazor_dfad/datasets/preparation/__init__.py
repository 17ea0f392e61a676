# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from . import fashion_mnist, fashion_scenes, idx_files, mnist, mosaic

__all__ = ['fashion_mnist', 'fashion_scenes', 'idx_files', 'mnist', 'mosaic']
