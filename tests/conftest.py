# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Shared fixtures: tiny models, a fake CIFAR-10 folder, random teachers."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel

import mmrazor_dfad  # noqa: F401
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import (accept_fake_cifar10, save_random_classifier,
                                  write_fake_cifar10)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CIFAR_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_resnet34_resnet18_8xb32_cifar10.py')


class ToyHead(nn.Module):

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feats):
        return self.fc(feats)


@MODELS.register_module(force=True)
class ToyClassifier(BaseModel):
    """A tiny conv-BN classifier with MMCls's ``head.fc`` layout."""

    def __init__(self, in_channels=3, width=4, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.backbone = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1), nn.BatchNorm2d(width),
            nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = ToyHead(width, num_classes)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        logits = self.head(self.backbone(inputs))
        if mode == 'tensor':
            return logits
        if mode == 'predict':
            return logits.argmax(dim=1)
        raise ValueError(mode)


def logits_distiller(teacher_name: str, loss_weight: float) -> dict:
    """MMRazor's ConfigurableDistiller on the ``head.fc`` logits."""
    return dict(
        type='ConfigurableDistiller',
        student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            t_fc=dict(type='ModuleOutputs', source=f'{teacher_name}.head.fc')),
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=loss_weight)),
        loss_forward_mappings=dict(
            loss_l1=dict(
                s_feature=dict(from_student=True, recorder='fc'),
                t_feature=dict(from_student=False, recorder='t_fc'))))


@pytest.fixture
def toy_teacher_ckpt(tmp_path):
    """A saved random ToyClassifier (width 8) as a teacher checkpoint."""
    torch.manual_seed(123)
    teacher = ToyClassifier(width=8)
    path = tmp_path / 'toy_teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict(), meta=dict()), path)
    return str(path)


@pytest.fixture
def toy_algorithm_cfg(toy_teacher_ckpt):
    """Config dict of a tiny DataFreeDistillation."""
    return dict(
        type='DataFreeDistillation',
        architecture=dict(type='ToyClassifier', width=4),
        teachers=dict(
            tea=dict(
                build_cfg=dict(type='ToyClassifier', width=8),
                ckpt_path=toy_teacher_ckpt)),
        generator=dict(
            type='DAFLGenerator', img_size=8, latent_dim=16,
            hidden_channels=8),
        distiller=logits_distiller('tea', 1.0),
        generator_distiller=logits_distiller('tea', -1.0),
        student_iter=3,
        student_train_first=True)


@pytest.fixture
def fake_cifar10(tmp_path):
    """A fake CIFAR-10 folder that MMCls accepts while the fixture lives."""
    with accept_fake_cifar10():
        yield write_fake_cifar10(str(tmp_path / 'cifar10'))


@pytest.fixture
def random_resnet34_ckpt(tmp_path):
    """A randomly initialised MMCls CIFAR ResNet-34, saved like a teacher."""
    return save_random_classifier('mmcls::resnet/resnet34_8xb16_cifar10.py',
                                  str(tmp_path / 'resnet34_random.pth'))
