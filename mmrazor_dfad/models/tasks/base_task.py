# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper

#: The dataloaders of a config that read real images.
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
#: The libraries a student is exported for, by scope, with their names.
EXPORT_LIBRARIES = {
    'mmcls': 'MMCls',
    'mmpretrain': 'MMPretrain',
    'mmseg': 'MMSeg'
}


class TaskMismatchError(ValueError):
    """A network's outputs do not fit the task (e.g. a segmentor distilled
    as a classifier)."""


class BaseTask:
    """What distilling one kind of network (classifiers, segmentors...)
    needs that the rest of the package does not know.

    The algorithm, the engine's hooks, the tools and the export ask the
    task; none of them tests which task it has. A subclass implements the
    abstract methods (the networks' outputs, the predictions for the
    metrics, the library a student is exported for) and overrides the
    others where its networks differ: the checks before training, and what
    the samples hook draws. docs/architecture.md lists them.
    """

    # The networks and their predictions.

    def logits(self, model: nn.Module, images: torch.Tensor) -> torch.Tensor:
        """The model's raw outputs (what the losses and metrics compare).

        Raises:
            TaskMismatchError: When the outputs do not fit the task.
        """
        raise NotImplementedError

    def check_logits(self, student_shape: Tuple[int, ...],
                     teacher_shape: Tuple[int, ...], teacher: str) -> None:
        """Refuse (``ValueError``) outputs of student and ``teacher`` that
        cannot be compared."""
        raise NotImplementedError

    def pack_predictions(self,
                         student_logits: torch.Tensor,
                         teacher_logits: torch.Tensor,
                         data_samples: Optional[List],
                         student: Optional[nn.Module] = None) -> List:
        """Data samples carrying both networks' predictions, for the
        metrics (``data_samples`` is None for generated images)."""
        raise NotImplementedError

    # Checks before any work.

    def check_data(self,
                   cfg: Mapping,
                   loaders: Optional[Sequence[str]] = None) -> List[str]:
        """Refuse a missing or incomplete data folder of this task's
        datasets among the dataloaders ``loaders`` of ``cfg``, by name and
        with the fix (see :func:`mmrazor_dfad.models.tasks.check_data`).

        Args:
            cfg (Mapping): The config.
            loaders (Sequence[str], optional): The dataloaders to check;
                None: those to check before a training (the task's choice).

        Returns:
            list[str]: The folders checked (none by default).
        """
        return []

    @torch.no_grad()
    def check_teacher_classes(self, teacher: nn.Module, name: str,
                              classes: Sequence,
                              image_shape: Tuple[int, ...]) -> None:
        """Refuse a teacher whose number of classes (dimension 1 of its
        :meth:`logits` on blank images of ``image_shape``) differs from the
        validation dataset's ``classes``: a teacher of other data.

        Args:
            teacher (nn.Module): The teacher (its mode is restored).
            name (str): Its name in ``model.teachers``, for the message.
            classes (Sequence): The validation dataset's class names.
            image_shape (tuple[int]): ``(N, C, H, W)`` of the blank images.

        Raises:
            ValueError: Naming the fix.
        """
        device = next(teacher.parameters()).device
        was_training = teacher.training
        teacher.eval()
        try:
            blank = torch.zeros(*image_shape, device=device)
            predicted = self.logits(teacher, blank).shape[1]
        finally:
            teacher.train(was_training)
        if predicted != len(classes):
            shown = ', '.join(map(str, list(classes)[:4]))
            raise ValueError(
                f"Teacher '{name}' predicts {predicted} classes but the "
                f'validation dataset has {len(classes)} ({shown}, ...): '
                'it was trained for other data. Give '
                f"model.teachers['{name}'] the checkpoint and num_classes "
                "of this dataset's teacher, or point the dataloaders at "
                "the teacher's dataset.")

    def check_teachers(self, runner, algorithm: nn.Module, *, num_images: int,
                       min_confidence_ratio: float, max_val_images: int,
                       min_top1_ratio: float, seed: int) -> None:
        """Log (and warn about) how each frozen teacher of ``algorithm``
        does before the first iteration (``TeacherCheckHook``, whose
        arguments these are). By default there is no such check: the
        validation reports the teachers' metrics."""
        runner.logger.info(
            f'TeacherCheckHook: checks classifiers only; skipped for '
            f'{type(self).__name__} (the validation reports the '
            "teacher's metrics).")

    # What the samples hook draws.

    def visualize_generated(
            self,
            algorithm: nn.Module,
            images: torch.Tensor,
            nrow: int,
            palette: Optional[Sequence] = None) -> torch.Tensor:
        """The grid ``GeneratedSamplesHook`` saves: by default the
        generated images alone, each stretched to ``[0, 1]`` (the
        generator's output is standardised, not in pixel units).

        Args:
            algorithm (nn.Module): The (unwrapped) algorithm.
            images (torch.Tensor): Generated images, ``(N, C, H, W)``, CPU.
            nrow (int): Images per grid row.
            palette (Sequence, optional): Colours of classes, for tasks that
                draw predictions as masks.

        Returns:
            torch.Tensor: Shape ``(3, H', W')``, values in ``[0, 1]``.
        """
        from torchvision.utils import make_grid
        return make_grid(
            images, nrow=nrow, normalize=True, scale_each=True, padding=2)

    # The exported student.

    def export_library(self, student: Mapping,
                       default_scope: Optional[str]) -> str:
        """The scope of the library a student is exported for (a key of
        :data:`EXPORT_LIBRARIES`); the library then decides what the written
        config holds and how a user loads it.

        Args:
            student (Mapping): The student's model config.
            default_scope (str, optional): The DFAD config's default scope.
        """
        raise NotImplementedError


def unwrap(module: nn.Module) -> nn.Module:
    """``module`` without its model wrapper (DDP...)."""
    return module.module if is_model_wrapper(module) else module
