# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .dafl_generator import DAFLGenerator

__all__ = ['DAFLGenerator']
