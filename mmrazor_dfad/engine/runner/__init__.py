# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_free_loops import DataFreeTestLoop, DataFreeValLoop

__all__ = ['DataFreeTestLoop', 'DataFreeValLoop']
