# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_free_dataset import DataFreeDataset
from .generated_bank_dataset import GeneratedBankDataset

__all__ = ['DataFreeDataset', 'GeneratedBankDataset']
