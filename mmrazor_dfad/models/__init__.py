# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .algorithms import DAFLDataFreeDistillation, DataFreeDistillation
from .averaged_models import DataFreeEMA
from .backbones import DAFLLeNet5
from .generators import DAFLGenerator
from .losses import (AgreementMaskedL1Loss, BatchNormStatisticsLoss,
                     PixelL1Loss, TotalVariationLoss)
from .pools import SyntheticImagePool
from .recorders import BatchNormStatisticsRecorder
from .tasks import ClassificationTask, SegmentationTask

__all__ = [
    'ClassificationTask', 'DataFreeDistillation', 'DataFreeEMA',
    'DAFLDataFreeDistillation', 'DAFLGenerator', 'DAFLLeNet5',
    'SyntheticImagePool', 'AgreementMaskedL1Loss', 'BatchNormStatisticsLoss',
    'BatchNormStatisticsRecorder', 'TotalVariationLoss', 'PixelL1Loss',
    'SegmentationTask'
]
