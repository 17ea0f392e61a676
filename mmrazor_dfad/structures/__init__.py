# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .classification_data_sample import classification_data_sample_type

__all__ = ['classification_data_sample_type']
