# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .agreement_masked_l1_loss import AgreementMaskedL1Loss
from .batchnorm_statistics_loss import BatchNormStatisticsLoss
from .pixel_l1_loss import PixelL1Loss
from .total_variation_loss import TotalVariationLoss

__all__ = [
    'AgreementMaskedL1Loss', 'BatchNormStatisticsLoss', 'PixelL1Loss',
    'TotalVariationLoss'
]
