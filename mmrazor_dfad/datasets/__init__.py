# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .camvid_dataset import CAMVID_CLASSES, CamVidDataset
from .data_free_dataset import DataFreeDataset
from .generated_bank_dataset import GeneratedBankDataset

__all__ = [
    'CAMVID_CLASSES', 'CamVidDataset', 'DataFreeDataset',
    'GeneratedBankDataset'
]
