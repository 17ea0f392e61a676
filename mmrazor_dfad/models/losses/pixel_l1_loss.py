# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class PixelL1Loss(nn.Module):
    """L1 discrepancy of per-pixel logits of two segmentors.

    ``loss = w * mean |s - t|`` over batch, classes and pixels, after the
    student's logits are resized (bilinear) to the teacher's spatial size
    where the two output strides differ. With ``log1p=True`` the value is
    ``w * log(1 + mean |s - t|)``: the generator objective of the paper's
    segmentation code (``loss_weight=-1``: the generator maximises
    ``log(1 + L1)``), which keeps its gradient bounded while the
    discrepancy grows.

    Feed it what the distiller's recorders capture of both networks, e.g.
    ``decode_head.conv_seg`` outputs (``(N, C, h, w)``).

    Args:
        loss_weight (float): Weight. Defaults to 1.0.
        log1p (bool): Take ``log(1 + L1)``. Defaults to False.
        align_corners (bool): ``align_corners`` of the resize. Defaults to
            False.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 log1p: bool = False,
                 align_corners: bool = False) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.log1p = log1p
        self.align_corners = align_corners

    def forward(self, student_logits: torch.Tensor,
                teacher_logits: torch.Tensor) -> torch.Tensor:
        """Args:
            student_logits (torch.Tensor): Shape ``(N, C, h_s, w_s)``.
            teacher_logits (torch.Tensor): Shape ``(N, C, h_t, w_t)``.

        Returns:
            torch.Tensor: The weighted loss, a scalar.
        """
        if student_logits.shape[:2] != teacher_logits.shape[:2]:
            raise ValueError(
                'PixelL1Loss: student logits of shape '
                f'{tuple(student_logits.shape)} and teacher logits of shape '
                f'{tuple(teacher_logits.shape)} differ in batch or classes; '
                'record the same layer (e.g. decode_head.conv_seg) of '
                'segmentors with the same num_classes.')
        if student_logits.shape[-2:] != teacher_logits.shape[-2:]:
            student_logits = F.interpolate(
                student_logits,
                size=teacher_logits.shape[-2:],
                mode='bilinear',
                align_corners=self.align_corners)
        discrepancy = F.l1_loss(student_logits, teacher_logits)
        if self.log1p:
            discrepancy = torch.log1p(discrepancy)
        return self.loss_weight * discrepancy
