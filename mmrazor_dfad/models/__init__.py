# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .algorithms import DataFreeDistillation
from .backbones import LeNet5
from .generators import DAFLGenerator

__all__ = ['DataFreeDistillation', 'DAFLGenerator', 'LeNet5']
