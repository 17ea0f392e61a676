# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmrazor_dfad.registry import METRICS


def confusion(prediction: torch.Tensor,
              target: torch.Tensor,
              num_classes: int,
              ignore_index: Optional[int] = None) -> torch.Tensor:
    """Confusion matrix of two label maps.

    Args:
        prediction (torch.Tensor): Labels, any shape.
        target (torch.Tensor): Labels, the same shape.
        num_classes (int): ``C``.
        ignore_index (int, optional): Target label left out.

    Returns:
        torch.Tensor: Shape ``(C, C)``, int64; ``[target, prediction]``.
    """
    prediction, target = prediction.reshape(-1), target.reshape(-1)
    keep = (target >= 0) & (target < num_classes)
    if ignore_index is not None:
        keep &= target != ignore_index
    index = target[keep].long() * num_classes + prediction[keep].long()
    return torch.bincount(
        index, minlength=num_classes**2).view(num_classes, num_classes)


def mean_iou(matrix: torch.Tensor) -> float:
    """Mean IoU (percent) over the classes present in target or
    prediction of a confusion matrix (mmseg's ``IoUMetric`` averages over
    the classes with a union, ignoring NaN)."""
    matrix = matrix.double()
    intersection = matrix.diag()
    union = matrix.sum(0) + matrix.sum(1) - intersection
    present = union > 0
    if not present.any():
        return 0.0
    return float((intersection[present] / union[present]).mean() * 100)


def pixel_accuracy(matrix: torch.Tensor) -> float:
    """Percent of pixels on the diagonal of a confusion matrix."""
    total = matrix.sum()
    return float(matrix.diag().sum().double() / total * 100) if total else 0.


@METRICS.register_module()
class SegTeacherStudentMetric(BaseMetric):
    """How a student segmentor compares with its teacher, per pixel.

    Reads the ``pred_sem_seg`` (student) and ``teacher_pred_sem_seg`` of
    the data samples :class:`SegmentationTask` makes, so it works on
    generated images without labels:

    - ``agreement``: percent of pixels where both predict the same class;
    - ``mIoU_vs_teacher``: the student's mIoU against the teacher's argmax
      (the teacher's labels stand in for real ones).

    With real labels (``gt_sem_seg``) it adds the teacher's ``teacher_mIoU``
    and ``teacher_aAcc`` (mmseg's ``IoUMetric`` gives the student's).

    Args:
        num_classes (int, optional): ``C``; defaults to the length of
            ``dataset_meta['classes']``.
        ignore_index (int): Real label left out. Defaults to 255.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str): Defaults to ``'teacher_student'``; use
            ``'label_free'`` for a generated bank.
    """

    default_prefix = 'teacher_student'

    def __init__(self,
                 num_classes: Optional[int] = None,
                 ignore_index: int = 255,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def _classes(self) -> int:
        if self.num_classes is not None:
            return self.num_classes
        classes = (self.dataset_meta or {}).get('classes')
        if not classes:
            raise ValueError(
                'SegTeacherStudentMetric: set num_classes (the dataset of '
                'this evaluator has no classes in its metainfo).')
        return len(classes)

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        """Add each sample's confusion matrices to ``self.results``."""
        num_classes = self._classes()
        for sample in data_samples:
            student = sample['pred_sem_seg']['data'].cpu()
            teacher = sample['teacher_pred_sem_seg']['data'].cpu()
            result = dict(
                student_vs_teacher=confusion(student, teacher, num_classes))
            if 'gt_sem_seg' in sample:
                result['teacher_vs_gt'] = confusion(
                    teacher, sample['gt_sem_seg']['data'].cpu(), num_classes,
                    self.ignore_index)
            self.results.append(result)

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Sum the matrices and compute the percentages."""
        student_vs_teacher = sum(r['student_vs_teacher'] for r in results)
        metrics = dict(
            agreement=pixel_accuracy(student_vs_teacher),
            mIoU_vs_teacher=mean_iou(student_vs_teacher))
        with_gt = [r['teacher_vs_gt'] for r in results if 'teacher_vs_gt' in r]
        if with_gt:
            teacher_vs_gt = sum(with_gt)
            metrics.update(
                teacher_mIoU=mean_iou(teacher_vs_gt),
                teacher_aAcc=pixel_accuracy(teacher_vs_gt))
        return metrics
