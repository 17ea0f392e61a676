# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .camvid_dataset import CAMVID_CLASSES, CamVidDataset
from .data_free_dataset import DataFreeDataset
from .generated_bank_dataset import GeneratedBankDataset
from .image_folders import (check_data_folders, check_idx_folder,
                            check_idx_folders, check_image_folder,
                            check_segmentation_folders)
from .transforms import EvaluateAtCurrentShape

__all__ = [
    'CAMVID_CLASSES', 'CamVidDataset', 'DataFreeDataset',
    'EvaluateAtCurrentShape', 'GeneratedBankDataset', 'check_data_folders',
    'check_idx_folder', 'check_idx_folders', 'check_image_folder',
    'check_segmentation_folders'
]
