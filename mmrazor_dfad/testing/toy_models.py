# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Tiny models and configs for tests: seconds on a CPU, MMCls's layout.

Configs name ``type='ToyClassifier'`` after :func:`register_toy_models`
(``tests/conftest.py`` calls it): importing this module registers nothing.
"""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmrazor_dfad.registry import MODELS


class ToyHead(nn.Module):
    """A linear classification head, named ``fc`` like MMCls's heads.

    Args:
        in_channels (int): Length of the input features.
        num_classes (int): Number of logits.
    """

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Map features ``(N, in_channels)`` to logits ``(N, num_classes)``."""
        return self.fc(feats)


class ToyClassifier(BaseModel):
    """A tiny conv-BN classifier with MMCls's ``head.fc`` layout.

    ``conv 3x3 -> BN -> ReLU -> global average pool -> head.fc``: the
    BatchNorm gives BN-statistics losses something to read, ``head.fc``
    is where the DFAD configs record logits.

    Args:
        in_channels (int): Image channels. Defaults to 3.
        width (int): Channels of the convolution. Defaults to 4.
        num_classes (int): Number of logits. Defaults to 10.
        **kwargs: ``data_preprocessor`` / ``init_cfg`` of ``BaseModel``.
    """

    def __init__(self,
                 in_channels: int = 3,
                 width: int = 4,
                 num_classes: int = 10,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.backbone = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1), nn.BatchNorm2d(width),
            nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = ToyHead(width, num_classes)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> torch.Tensor:
        """Classify ``inputs`` of shape ``(N, in_channels, H, W)``.

        Args:
            inputs (torch.Tensor): Images, any height and width.
            data_samples (list, optional): Ignored.
            mode (str): ``'tensor'`` for logits ``(N, num_classes)``,
                ``'predict'`` for class indices ``(N,)``.

        Returns:
            torch.Tensor: Logits or predicted classes.
        """
        logits = self.head(self.backbone(inputs))
        if mode == 'tensor':
            return logits
        if mode == 'predict':
            return logits.argmax(dim=1)
        raise ValueError(f'ToyClassifier: unsupported mode {mode!r}.')


def register_toy_models() -> None:
    """Register :class:`ToyClassifier` in ``MODELS`` (scope
    ``mmrazor_dfad``), so configs build it by name; as MMEngine's
    ``RunnerTestCase.setUp`` registers its toy model, on request. Calling it
    again changes nothing."""
    MODELS.register_module(module=ToyClassifier, force=True)


def logits_distiller(teacher_name: str, loss_weight: float) -> Dict:
    """MMRazor's ``ConfigurableDistiller`` config on the ``head.fc`` logits.

    Args:
        teacher_name (str): Key of the teacher in the algorithm's
            ``teachers``.
        loss_weight (float): Weight of the L1 loss between student and
            teacher logits: positive for the student's distiller, negative
            for the generator's (it maximises the discrepancy).

    Returns:
        dict: The distiller config.
    """
    return dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            t_fc=dict(type='ModuleOutputs', source=f'{teacher_name}.head.fc')),
        distill_losses=dict(
            loss_l1=dict(type='L1Loss', loss_weight=loss_weight)),
        loss_forward_mappings=dict(
            loss_l1=dict(
                s_feature=dict(from_student=True, recorder='fc'),
                t_feature=dict(from_student=False, recorder='t_fc'))))
