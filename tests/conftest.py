# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Shared fixtures: a tiny algorithm, a fake CIFAR-10 folder, random
teachers (the models and helpers they use are in ``mmrazor_dfad.testing``)."""
import pytest
import torch

from mmrazor_dfad.testing import (ToyClassifier, accept_fake_cifar10,
                                  logits_distiller, save_random_classifier,
                                  write_fake_cifar10)


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
