# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from . import fashion_mnist, idx_files, mnist, mosaic

__all__ = ['fashion_mnist', 'idx_files', 'mnist', 'mosaic']
