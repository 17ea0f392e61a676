# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .agreement_masked_l1_loss import AgreementMaskedL1Loss
from .batchnorm_statistics_loss import BatchNormStatisticsLoss
from .class_similarity_kl_loss import ClassSimilarityKLLoss
from .log_space_kl_divergence import LogSpaceKLDivergence
from .pixel_l1_loss import PixelL1Loss
from .thing_balance_loss import ThingBalanceLoss
from .total_variation_loss import TotalVariationLoss

__all__ = [
    'AgreementMaskedL1Loss', 'BatchNormStatisticsLoss',
    'ClassSimilarityKLLoss', 'LogSpaceKLDivergence', 'PixelL1Loss',
    'ThingBalanceLoss', 'TotalVariationLoss'
]
