# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .lenet5 import LeNet5

__all__ = ['LeNet5']
