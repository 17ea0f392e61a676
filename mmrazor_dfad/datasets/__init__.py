# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_free_dataset import DataFreeDataset

__all__ = ['DataFreeDataset']
