# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""KD on real data with the teacher wholly in eval mode."""
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

    Args:
        **kwargs: ``SingleTeacherDistill``'s arguments; ``teacher_trainable``
            must stay ``False`` (a teacher that learns is not frozen).
    """

    def __init__(self, **kwargs) -> None:
        if kwargs.get('teacher_trainable', False):
            raise ValueError(
                'EvalTeacherDistill: teacher_trainable=True contradicts a '
                'teacher kept in eval mode. Use mmrazor.SingleTeacherDistill '
                'to train the teacher, or drop teacher_trainable.')
        super().__init__(**kwargs)

    def train(self, mode: bool = True) -> 'EvalTeacherDistill':
        """Set the student's mode; the teacher stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self
