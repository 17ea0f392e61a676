# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .class_similarity import ClassSimilarityTargets, class_similarity
from .color_augmentation import RandomColorShuffle
from .data_impressions import DataImpressionSynthesizer
from .image_augmentation import RandomShiftFlip

__all__ = [
    'ClassSimilarityTargets', 'DataImpressionSynthesizer',
    'RandomColorShuffle', 'RandomShiftFlip', 'class_similarity'
]
