# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS
from .base_task import LOADERS, BaseTask, TaskMismatchError, unwrap


def _pixel_data(data: torch.Tensor):
    from mmengine.structures import PixelData
    return PixelData(data=data)


@MODELS.register_module()
class SegmentationTask(BaseTask):
    """What is specific to distilling MMSegmentation segmentors: per-pixel
    logits at the input's size, ``SegDataSample`` predictions for mmseg's
    ``IoUMetric`` and :class:`SegTeacherStudentMetric`, MMSeg-style image
    folders, predicted masks beside the generated images, and MMSeg as the
    export's library.

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

    def check_data(self,
                   cfg: Mapping,
                   loaders: Optional[Sequence[str]] = None) -> List[str]:
        """The image folders of every MMSeg-style dataset (``data_root`` +
        ``data_prefix`` with ``img_path`` and ``seg_map_path``, or
        ``CamVidDataset``) among ``loaders``
        (:func:`~mmrazor_dfad.datasets.check_segmentation_folders`). Before
        a training (``loaders`` None): all three dataloaders (a preparation
        writes the splits together; an interrupted one leaves the test
        split incomplete, which a benchmark's final test reads)."""
        from mmrazor_dfad.datasets.image_folders import \
            check_segmentation_folders
        return check_segmentation_folders(
            cfg, LOADERS if loaders is None else loaders)

    @torch.no_grad()
    def visualize_generated(
            self,
            algorithm: nn.Module,
            images: torch.Tensor,
            nrow: int,
            palette: Optional[Sequence] = None) -> torch.Tensor:
        """Each generated image followed by the first teacher's and the
        student's predicted masks, colour-coded by ``palette`` (image,
        teacher, student: three tiles per image, ``3 * nrow`` tiles per
        row).

        Args:
            algorithm (nn.Module): The (unwrapped) algorithm.
            images (torch.Tensor): Generated images, ``(N, C, H, W)``, CPU.
            nrow (int): Images per grid row.
            palette (Sequence, optional): One ``[R, G, B]`` (0-255) per
                class; class 0 black and evenly spaced hues when None.

        Returns:
            torch.Tensor: Shape ``(3, H', W')``, values in ``[0, 1]``.
        """
        from torchvision.utils import make_grid

        from mmrazor_dfad.visualization import colour_masks
        student = unwrap(algorithm.student)
        teacher = next(iter(algorithm.teachers.values()))
        device = next(student.parameters()).device
        was_training = student.training
        student.eval()
        try:
            inputs = images.to(device)
            student_logits = self.logits(student, inputs)
            teacher_logits = self.logits(teacher, inputs)
        finally:
            student.train(was_training)
        num_classes = student_logits.shape[1]
        masks = [
            colour_masks(logits.argmax(dim=1).cpu(), num_classes, palette)
            for logits in (teacher_logits, student_logits)
        ]
        lo = images.amin(dim=(1, 2, 3), keepdim=True)
        hi = images.amax(dim=(1, 2, 3), keepdim=True)
        pictures = ((images - lo) / (hi - lo).clamp_min(1e-5)).expand(
            -1, 3, -1, -1)
        tiles = torch.stack([pictures, *masks], dim=1).flatten(0, 1)
        # Masks are colours already: no stretching.
        return make_grid(
            tiles, nrow=3 * nrow, normalize=False, scale_each=True, padding=2)

    def export_library(self, student: Mapping,
                       default_scope: Optional[str]) -> str:
        """MMSeg: its segmentors' configs and inference API."""
        return 'mmseg'
