# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor_dfad.models.tasks import task_of
from mmrazor_dfad.models.tasks.classification_task import \
    generated_prediction_stats
from mmrazor_dfad.registry import HOOKS

__all__ = ['TeacherCheckHook', 'generated_prediction_stats']


@HOOKS.register_module()
class TeacherCheckHook(Hook):
    """Check the frozen teachers once, before the first iteration.

    Distilling from a teacher that failed to load properly (a random
    initialisation with the right shapes, the wrong file) trains for hours
    and teaches nothing. Before training starts this hook asks the
    algorithm's task (``ClassificationTask`` for an algorithm without one)
    to check every teacher:

    - when the validation dataset names its classes: that the teacher
      predicts as many classes (``task.check_teacher_classes``), or it
      raises before the first iteration (a teacher of another dataset);
    - the task's own checks (``task.check_teachers``). A classifier's, in
      the log: how its predictions on ``num_images`` generated images
      spread over the classes (see :func:`generated_prediction_stats`),
      with a warning when the teacher is barely more confident than uniform
      guessing (``confidence < min_confidence_ratio / num_classes``, what an
      untrained network looks like); and, when the config has a
      ``val_dataloader``, its top-1 on up to ``max_val_images`` real
      validation images, with a warning below ``min_top1_ratio`` times the
      accuracy of guessing (100 / num_classes). Other tasks leave it to the
      validation.

    Nothing the training uses is changed: the generator runs as a copy, on
    latents of its own random generator, and runs once in training mode
    (BatchNorm statistics of the batch) as in training.

    Args:
        num_images (int): Generated images to look at. Defaults to 256.
        min_confidence_ratio (float): Warn below this multiple of the
            uniform confidence ``1 / num_classes``. Defaults to 1.5.
        max_val_images (int): Real validation images to score at most
            (0 disables the real-data check). Defaults to 2000.
        min_top1_ratio (float): Warn below this multiple of chance
            accuracy. Defaults to 2.0.
        seed (int): Seed of the latents. Defaults to 0.
    """

    priority = 'NORMAL'

    def __init__(self,
                 num_images: int = 256,
                 min_confidence_ratio: float = 1.5,
                 max_val_images: int = 2000,
                 min_top1_ratio: float = 2.0,
                 seed: int = 0) -> None:
        if num_images < 2:
            raise ValueError('TeacherCheckHook: num_images must be >= 2.')
        self.num_images = num_images
        self.min_confidence_ratio = min_confidence_ratio
        self.max_val_images = max_val_images
        self.min_top1_ratio = min_top1_ratio
        self.seed = seed

    @staticmethod
    def _algorithm(runner) -> nn.Module:
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        algorithm = self._algorithm(runner)
        teachers = getattr(algorithm, 'teachers', None)
        if not teachers:
            return
        self._check_classes(runner, algorithm)
        task_of(algorithm).check_teachers(
            runner,
            algorithm,
            num_images=self.num_images,
            min_confidence_ratio=self.min_confidence_ratio,
            max_val_images=self.max_val_images,
            min_top1_ratio=self.min_top1_ratio,
            seed=self.seed)

    def _check_classes(self, runner, algorithm: nn.Module) -> None:
        """Refuse a teacher whose number of classes (through the task, on
        blank images of the generator's shape) differs from the validation
        dataset's ``metainfo['classes']``."""
        val_loop = getattr(runner, 'val_loop', None)
        dataset = getattr(
            getattr(val_loop, 'dataloader', None), 'dataset', None)
        classes = (getattr(dataset, 'metainfo', None) or {}).get('classes')
        generator = algorithm.generator
        if is_model_wrapper(generator):
            generator = generator.module
        size = getattr(generator, 'img_size', None)
        task = getattr(algorithm, 'task', None)
        if not classes or size is None or task is None:
            return
        shape = (2, getattr(generator, 'out_channels', 3), size, size)
        for name, teacher in algorithm.teachers.items():
            task.check_teacher_classes(teacher, name, classes, shape)
