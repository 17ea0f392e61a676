# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS
from .classification_task import TaskMismatchError


def _pixel_data(data: torch.Tensor):
    from mmengine.structures import PixelData
    return PixelData(data=data)


@MODELS.register_module()
class SegmentationTask:
    """What is specific to distilling MMSegmentation segmentors: per-pixel
    logits at the input's size, and ``SegDataSample`` predictions for
    mmseg's ``IoUMetric`` and :class:`SegTeacherStudentMetric`.

    Output strides differ between segmentors (a UNet predicts at full
    resolution, a DeepLabV3 at 1/8), so logits are resized to the input
    size (bilinear, the segmentor's ``align_corners``), as mmseg's own
    inference does before it post-processes.
    """

    def logits(self, model: nn.Module, images: torch.Tensor) -> torch.Tensor:
        """The segmentor's logits at the input's size.

        Args:
            model (nn.Module): An MMSeg segmentor (``EncoderDecoder``...).
            images (torch.Tensor): Shape ``(N, C, H, W)``.

        Returns:
            torch.Tensor: Shape ``(N, num_classes, H, W)``.
        """
        logits = model(images, mode='tensor')
        if not isinstance(logits, torch.Tensor) or logits.dim() != 4:
            shape = tuple(getattr(logits, 'shape', ()))
            raise TaskMismatchError(
                f'SegmentationTask: {type(model).__name__} gives logits of '
                f'shape {shape}, not per-pixel (N, C, H, W): it is not a '
                'segmentor. Distil MMSeg segmentors with '
                "task=dict(type='SegmentationTask'), classifiers with "
                "task=dict(type='ClassificationTask') (the default).")
        if logits.shape[-2:] != images.shape[-2:]:
            decode_head = getattr(model, 'decode_head', None)
            logits = F.interpolate(
                logits,
                size=images.shape[-2:],
                mode='bilinear',
                align_corners=getattr(decode_head, 'align_corners', False))
        return logits

    def check_logits(self, student_shape: Tuple[int, ...],
                     teacher_shape: Tuple[int, ...], teacher: str) -> None:
        """Refuse logits of different batch size or number of classes (the
        spatial sizes are equal: :meth:`logits` resizes them).

        Args:
            student_shape (tuple[int]): ``(N, C, H, W)`` of the student.
            teacher_shape (tuple[int]): ``(N, C, H, W)`` of the teacher.
            teacher (str): The teacher, for the message.

        Raises:
            ValueError: Naming the fix.
        """
        if student_shape[:2] != teacher_shape[:2]:
            raise ValueError(
                f'Student logits have shape {student_shape} but the {teacher} '
                f'gives {teacher_shape}: they cannot be compared. Give the '
                "student's decode_head (and auxiliary_head) the teacher's "
                'num_classes.')

    def pack_predictions(self,
                         student_logits: torch.Tensor,
                         teacher_logits: torch.Tensor,
                         data_samples: Optional[List],
                         student: Optional[nn.Module] = None) -> List:
        """``SegDataSample`` objects with the student's prediction
        (``pred_sem_seg``, ``seg_logits``: what ``IoUMetric`` reads) and the
        teacher's (``teacher_pred_sem_seg``), at each image's original
        size.

        Args:
            student_logits (torch.Tensor): Shape ``(N, C, H, W)``.
            teacher_logits (torch.Tensor): Shape ``(N, C, H, W)``.
            data_samples (list[SegDataSample], optional): The batch's samples
                (real images: their metainfo tells padding, flips and the
                original size); None for generated images.
            student (nn.Module, optional): The (unwrapped) student, whose
                ``postprocess_result`` undoes padding and resizing; without
                it (or without samples) predictions stay at input size.

        Returns:
            list[SegDataSample]: One per image.
        """
        from mmseg.structures import SegDataSample
        if data_samples is None or student is None:
            data_samples = data_samples or [
                SegDataSample() for _ in range(len(student_logits))
            ]
            for sample, s_logits, t_logits in zip(data_samples, student_logits,
                                                  teacher_logits):
                sample.seg_logits = _pixel_data(s_logits)
                sample.pred_sem_seg = _pixel_data(
                    s_logits.argmax(dim=0, keepdim=True))
                sample.teacher_pred_sem_seg = _pixel_data(
                    t_logits.argmax(dim=0, keepdim=True))
            return data_samples
        data_samples = student.postprocess_result(student_logits, data_samples)
        # The teacher's prediction goes through the same post-processing,
        # on samples that carry only the metainfo.
        teacher_samples = student.postprocess_result(teacher_logits, [
            SegDataSample(metainfo=sample.metainfo) for sample in data_samples
        ])
        for sample, teacher_sample in zip(data_samples, teacher_samples):
            sample.teacher_pred_sem_seg = teacher_sample.pred_sem_seg
        return data_samples
