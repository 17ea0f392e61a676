# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_free_ema import DataFreeEMA

__all__ = ['DataFreeEMA']
