# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .mmcv_ops import (MMSEG_OPS, CompiledOpUnavailable,
                       ensure_mmseg_importable, mmcv_ops_importable)
from .mmrazor_quantization import (QUANTIZATION_MODULES,
                                   QuantizationUnavailable,
                                   ensure_mmrazor_importable,
                                   mmrazor_quantization_importable,
                                   mmrazor_stand_ins_active)

__all__ = [
    'MMSEG_OPS', 'CompiledOpUnavailable', 'ensure_mmseg_importable',
    'mmcv_ops_importable', 'QUANTIZATION_MODULES', 'QuantizationUnavailable',
    'ensure_mmrazor_importable', 'mmrazor_quantization_importable',
    'mmrazor_stand_ins_active'
]
