# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_free_distributed import DataFreeDistributedDataParallel

__all__ = ['DataFreeDistributedDataParallel']
