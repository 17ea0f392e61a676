# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .data_impression_hook import DataImpressionHook
from .drop_stale_logs_hook import DropStaleLogsHook
from .generated_samples_hook import GeneratedSamplesHook
from .heartbeat_hook import HeartbeatHook, describe_stalled_ranks
from .label_free_early_stopping_hook import LabelFreeEarlyStoppingHook
from .loss_weight_schedule_hook import LossWeightScheduleHook
from .rank_zero_logger_hook import RankZeroLoggerHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .teacher_check_hook import TeacherCheckHook

__all__ = [
    'DataImpressionHook', 'DropStaleLogsHook', 'GeneratedSamplesHook',
    'HeartbeatHook', 'LabelFreeEarlyStoppingHook', 'LossWeightScheduleHook',
    'RankZeroLoggerHook', 'SafeCheckpointHook', 'TeacherCheckHook',
    'describe_stalled_ranks'
]
