# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import pytest
import torch
from mmengine.registry import init_default_scope

from mmrazor_dfad.models import DAFLLeNet5
from mmrazor_dfad.registry import MODELS


def classifier(channels, fc_channels):
    init_default_scope('mmrazor_dfad')
    return MODELS.build(
        dict(
            type='mmcls.ImageClassifier',
            backbone=dict(
                type='DAFLLeNet5', channels=channels, fc_channels=fc_channels),
            head=dict(
                type='mmcls.LinearClsHead',
                num_classes=10,
                in_channels=fc_channels,
                loss=dict(type='mmcls.CrossEntropyLoss')),
            data_preprocessor=dict(
                type='mmcls.ClsDataPreprocessor', mean=[33.32], std=[78.57])))


def test_paper_sizes():
    lenet5 = classifier((6, 16, 120), 84)
    half = classifier((3, 8, 60), 42)
    # LeNet-5: 156 + 2416 + 48120 + 10164 + 850 parameters.
    assert sum(p.numel() for p in lenet5.parameters()) == 61706
    assert sum(p.numel() for p in half.parameters()) < 61706 / 3
    images = torch.randn(4, 1, 32, 32)
    assert lenet5(images, mode='tensor').shape == (4, 10)
    assert half(images, mode='tensor').shape == (4, 10)
    # The logits come out of head.fc, where DFAD's recorders look.
    assert half.head.fc.out_features == 10


def test_rejects_other_sizes():
    with pytest.raises(ValueError, match='takes 32x32 images'):
        DAFLLeNet5()(torch.randn(1, 1, 28, 28))
    with pytest.raises(ValueError, match='three convolution widths'):
        DAFLLeNet5(channels=(6, 16))
