# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_free_distillation import DataFreeDistillation

__all__ = ['DataFreeDistillation']
