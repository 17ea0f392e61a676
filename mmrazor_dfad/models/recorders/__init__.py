# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .batchnorm_statistics_recorder import BatchNormStatisticsRecorder

__all__ = ['BatchNormStatisticsRecorder']
