# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .algorithms import DataFreeDistillation
from .backbones import LeNet5
from .generators import DAFLGenerator
from .losses import (AgreementMaskedL1Loss, BatchNormStatisticsLoss,
                     TotalVariationLoss)
from .pools import SyntheticImagePool
from .recorders import BatchNormStatisticsRecorder

__all__ = [
    'DataFreeDistillation', 'DAFLGenerator', 'LeNet5', 'SyntheticImagePool',
    'AgreementMaskedL1Loss', 'BatchNormStatisticsLoss',
    'BatchNormStatisticsRecorder', 'TotalVariationLoss'
]
