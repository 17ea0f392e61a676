# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .classification_data_sample import (classification_data_sample_type,
                                         ground_truth_label)

__all__ = ['classification_data_sample_type', 'ground_truth_label']
