# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .algorithms import DataFreeDistillation
from .generators import DAFLGenerator

__all__ = ['DataFreeDistillation', 'DAFLGenerator']
