# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .fileio import AtomicLocalBackend
from .hooks import (DropStaleLogsHook, GeneratedSamplesHook, HeartbeatHook,
                    LabelFreeEarlyStoppingHook, LossWeightScheduleHook,
                    SafeCheckpointHook, TeacherCheckHook)
from .model_wrappers import DataFreeDistributedDataParallel
from .optimizers import (AlternatingOptimWrapper,
                         AlternatingOptimWrapperConstructor,
                         PlayerOptimWrapper)
from .runner import DataFreeTestLoop, DataFreeValLoop

__all__ = [
    'AlternatingOptimWrapper', 'AlternatingOptimWrapperConstructor',
    'AtomicLocalBackend', 'DataFreeDistributedDataParallel',
    'DataFreeTestLoop', 'DropStaleLogsHook', 'DataFreeValLoop',
    'GeneratedSamplesHook', 'HeartbeatHook', 'LabelFreeEarlyStoppingHook',
    'LossWeightScheduleHook', 'PlayerOptimWrapper', 'SafeCheckpointHook',
    'TeacherCheckHook'
]
