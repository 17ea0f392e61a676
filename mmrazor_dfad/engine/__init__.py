# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .fileio import AtomicLocalBackend
from .hooks import (GeneratedSamplesHook, HeartbeatHook,
                    LossWeightScheduleHook, SafeCheckpointHook,
                    TeacherCheckHook)
from .model_wrappers import DataFreeDistributedDataParallel
from .optimizers import (AlternatingOptimWrapper,
                         AlternatingOptimWrapperConstructor)

__all__ = [
    'AlternatingOptimWrapper', 'AlternatingOptimWrapperConstructor',
    'AtomicLocalBackend', 'DataFreeDistributedDataParallel',
    'GeneratedSamplesHook', 'HeartbeatHook', 'LossWeightScheduleHook',
    'SafeCheckpointHook',
    'TeacherCheckHook'
]
