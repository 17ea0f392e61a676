# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Mapping, Optional, Sequence, Union

from .base_task import EXPORT_LIBRARIES, LOADERS, BaseTask, TaskMismatchError
from .classification_task import ClassificationTask
from .segmentation_task import SegmentationTask

#: Every task, for what is asked of a config whatever its algorithm.
TASKS = (ClassificationTask, SegmentationTask)


def build_task(cfg: Union[None, Mapping, BaseTask] = None) -> BaseTask:
    """The task of ``model.task``: built from ``MODELS`` (in the scope in
    effect), :class:`ClassificationTask` when None (the algorithm's
    default; MMRazor's own algorithms carry no task)."""
    if cfg is None:
        return ClassificationTask()
    if isinstance(cfg, BaseTask):
        return cfg
    from mmrazor_dfad.registry import MODELS
    return MODELS.build(cfg)


def task_of(algorithm) -> BaseTask:
    """The task of a built algorithm: its ``task``, or
    :class:`ClassificationTask` for one without (MMRazor's own)."""
    return getattr(algorithm, 'task', None) or ClassificationTask()


def check_data(cfg: Mapping,
               loaders: Optional[Sequence[str]] = None) -> List[str]:
    """Every task's :meth:`~BaseTask.check_data` on ``cfg``: a config is
    checked whatever its algorithm (MMRazor's own, a plain segmentor and an
    exported student name no task); each task checks the datasets of its
    kind and leaves the others.

    Args:
        cfg (Mapping): The config.
        loaders (Sequence[str], optional): The dataloaders to check; None:
            those each task checks before a training.

    Returns:
        list[str]: The folders checked.

    Raises:
        FileNotFoundError | ValueError: A folder is missing or incomplete.
    """
    checked: List[str] = []
    for task in TASKS:
        checked += task().check_data(cfg, loaders)
    return checked


__all__ = [
    'BaseTask', 'ClassificationTask', 'EXPORT_LIBRARIES', 'LOADERS',
    'SegmentationTask', 'TASKS', 'TaskMismatchError', 'build_task',
    'check_data', 'task_of'
]
