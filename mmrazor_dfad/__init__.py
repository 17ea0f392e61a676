# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Data-Free Adversarial Distillation (DFAD) for MMEngine / MMRazor.

Importing this package makes MMRazor 1.0.0 importable on PyTorch 2.x and
MMSegmentation 1.x's models importable on mmcv-lite (see
:mod:`mmrazor_dfad.compat`); modules are registered lazily through the
``locations`` of :mod:`mmrazor_dfad.registry`.
"""
from .compat import ensure_mmrazor_importable, ensure_mmseg_importable
from .version import __version__, version_info

ensure_mmrazor_importable()
ensure_mmseg_importable()

__all__ = [
    '__version__', 'version_info', 'ensure_mmrazor_importable',
    'ensure_mmseg_importable'
]
