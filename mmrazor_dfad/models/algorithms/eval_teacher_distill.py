# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""KD on real data with the teacher wholly in eval mode."""
import copy
from typing import List, Optional

import torch
from mmrazor.models.algorithms import SingleTeacherDistill

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class EvalTeacherDistill(SingleTeacherDistill):
    """MMRazor's ``SingleTeacherDistill`` whose frozen teacher stays in eval
    mode while the student trains.

    ``SingleTeacherDistill.train()`` puts only the teacher's BatchNorm layers
    in eval mode (``teacher_norm_eval``), so its dropout still draws masks and
    the student learns from noisy targets that the teacher never produces at
    test time. A data-driven bound of distillation must distil the teacher
    the user has, as it predicts: this class puts every teacher module in
    eval mode whenever the algorithm trains. Everything else, config keys
    included, is ``SingleTeacherDistill``'s.

    With ``predict_teacher=True``, a segmentation prediction also carries
    the teacher's (``teacher_pred_sem_seg``), so ``SegTeacherStudentMetric``
    measures the student's fidelity to the teacher in the same pass as its
    mIoU, as it does for a data-free run.

    Args:
        predict_teacher (bool): Add the teacher's ``pred_sem_seg`` to each
            predicted sample as ``teacher_pred_sem_seg``. Defaults to False.
        **kwargs: ``SingleTeacherDistill``'s arguments; ``teacher_trainable``
            must stay ``False`` (a teacher that learns is not frozen).
    """

    def __init__(self, predict_teacher: bool = False, **kwargs) -> None:
        if kwargs.get('teacher_trainable', False):
            raise ValueError(
                'EvalTeacherDistill: teacher_trainable=True contradicts a '
                'teacher kept in eval mode. Use mmrazor.SingleTeacherDistill '
                'to train the teacher, or drop teacher_trainable.')
        super().__init__(**kwargs)
        self.predict_teacher = predict_teacher

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """The algorithm's forward; in ``'predict'`` mode with
        ``predict_teacher``, each sample also gets the teacher's
        ``pred_sem_seg`` as ``teacher_pred_sem_seg``.

        Args:
            inputs (torch.Tensor): Shape ``(N, C, H, W)``.
            data_samples (list, optional): The batch's data samples.
            mode (str): ``'loss'``, ``'tensor'`` or ``'predict'``.
        """
        if mode != 'predict' or not self.predict_teacher:
            return super().forward(inputs, data_samples, mode)
        teacher_samples = self.teacher(
            inputs, copy.deepcopy(data_samples), mode='predict')
        predictions = super().forward(inputs, data_samples, mode)
        for sample, teacher_sample in zip(predictions, teacher_samples):
            if 'pred_sem_seg' not in teacher_sample:
                raise TypeError(
                    'EvalTeacherDistill: predict_teacher=True needs a '
                    'segmentation teacher (its predictions have no '
                    'pred_sem_seg).')
            sample.teacher_pred_sem_seg = teacher_sample.pred_sem_seg
        return predictions

    def train(self, mode: bool = True) -> 'EvalTeacherDistill':
        """Set the student's mode; the teacher stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self
