# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .dafl_lenet5 import DAFLLeNet5

__all__ = ['DAFLLeNet5']
