# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .algorithms import DAFLDataFreeDistillation, DataFreeDistillation
from .averaged_models import DataFreeEMA
from .backbones import DAFLLeNet5
from .generators import DAFLGenerator, DCGANGenerator
from .losses import (AgreementMaskedL1Loss, BatchNormStatisticsLoss,
                     ClassSimilarityKLLoss, LogSpaceKLDivergence, PixelL1Loss,
                     ThingBalanceLoss, TotalVariationLoss)
from .pools import SyntheticImagePool
from .recorders import BatchNormStatisticsRecorder
from .synthesizers import (ClassSimilarityTargets, DataImpressionSynthesizer,
                           RandomColorShuffle, RandomShiftFlip)
from .tasks import ClassificationTask, SegmentationTask

__all__ = [
    'ClassificationTask', 'DataFreeDistillation', 'DataFreeEMA',
    'DAFLDataFreeDistillation', 'DAFLGenerator', 'DAFLLeNet5',
    'DCGANGenerator', 'SyntheticImagePool', 'AgreementMaskedL1Loss',
    'BatchNormStatisticsLoss', 'BatchNormStatisticsRecorder',
    'ClassSimilarityKLLoss', 'LogSpaceKLDivergence', 'TotalVariationLoss',
    'PixelL1Loss', 'ThingBalanceLoss', 'SegmentationTask',
    'ClassSimilarityTargets', 'DataImpressionSynthesizer',
    'RandomColorShuffle', 'RandomShiftFlip'
]
