# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Optional, Tuple

import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.structures import classification_data_sample_type


class TaskMismatchError(ValueError):
    """A network's outputs do not fit the task (e.g. a segmentor distilled
    as a classifier)."""


@MODELS.register_module()
class ClassificationTask:
    """What is specific to distilling classifiers: which logits the
    networks give and how predictions are packed for MMCls / MMPretrain
    metrics.

    The training losses do not depend on the task (the distillers' recorders
    pick what they compare); validation, the generated bank and the build
    checks do.
    """

    def logits(self, model: nn.Module, images: torch.Tensor) -> torch.Tensor:
        """The model's logits.

        Args:
            model (nn.Module): An MMCls / MMPretrain classifier.
            images (torch.Tensor): Shape ``(N, C, H, W)``.

        Returns:
            torch.Tensor: Shape ``(N, num_classes)``.
        """
        logits = model(images, mode='tensor')
        if not isinstance(logits, torch.Tensor) or logits.dim() != 2:
            shape = tuple(getattr(logits, 'shape', ()))
            raise TaskMismatchError(
                f'ClassificationTask: {type(model).__name__} gives logits of '
                f'shape {shape}, not (N, num_classes). For MMSeg segmentors '
                "set model.task=dict(type='SegmentationTask').")
        return logits

    def check_logits(self, student_shape: Tuple[int, ...],
                     teacher_shape: Tuple[int, ...], teacher: str) -> None:
        """Refuse logits that cannot be compared.

        Args:
            student_shape (tuple[int]): Shape of the student's logits.
            teacher_shape (tuple[int]): Shape of the teacher's logits.
            teacher (str): The teacher, for the message.

        Raises:
            ValueError: When the shapes differ, naming the fix.
        """
        if student_shape != teacher_shape:
            raise ValueError(
                f'Student logits have shape {student_shape} but the {teacher} '
                f'gives {teacher_shape}: they cannot be compared. Give the '
                "student the teacher's number of classes (head.num_classes).")

    def pack_predictions(self,
                         student_logits: torch.Tensor,
                         teacher_logits: torch.Tensor,
                         data_samples: Optional[List],
                         student: Optional[nn.Module] = None) -> List:
        """Data samples carrying both networks' logits.

        Args:
            student_logits (torch.Tensor): Shape ``(N, num_classes)``.
            teacher_logits (torch.Tensor): Shape ``(N, num_classes)``.
            data_samples (list, optional): The batch's data samples (real
                images); None makes new ones (generated images).
            student (nn.Module, optional): Not needed for classifiers.

        Returns:
            list[DataSample]: One per image, with the student's
            ``pred_score`` / ``pred_label`` (what ``Accuracy`` reads), and
            ``student_logits`` and ``teacher_logits`` of shape
            ``(num_classes, )`` (what :class:`TeacherStudentMetric` reads).
        """
        if data_samples is None:
            sample_type = classification_data_sample_type()
            data_samples = [sample_type() for _ in student_logits]
        scores = student_logits.softmax(dim=1)
        for sample, s_logits, t_logits, score in zip(data_samples,
                                                     student_logits,
                                                     teacher_logits, scores):
            sample.set_pred_score(score).set_pred_label(score.argmax())
            sample.set_field(s_logits, 'student_logits', field_type='data')
            sample.set_field(t_logits, 'teacher_logits', field_type='data')
        return data_samples
