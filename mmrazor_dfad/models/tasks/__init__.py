# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .classification_task import ClassificationTask, TaskMismatchError
from .segmentation_task import SegmentationTask

__all__ = ['ClassificationTask', 'SegmentationTask', 'TaskMismatchError']
