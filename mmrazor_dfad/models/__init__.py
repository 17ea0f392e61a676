# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .algorithms import DataFreeDistillation
from .backbones import LeNet5
from .generators import DAFLGenerator
from .pools import SyntheticImagePool

__all__ = ['DataFreeDistillation', 'DAFLGenerator', 'LeNet5',
           'SyntheticImagePool']
