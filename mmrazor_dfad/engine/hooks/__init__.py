# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .generated_samples_hook import GeneratedSamplesHook

__all__ = ['GeneratedSamplesHook']
