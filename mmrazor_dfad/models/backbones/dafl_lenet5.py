# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class DAFLLeNet5(BaseModule):
    """LeNet-5 for 32x32 images, as in the DAFL and DFAD papers' MNIST runs.

    Named apart from MMCls's ``LeNet5`` (a different network with its own
    classifier), so a config gets this one whatever its default scope.

    ``conv5x5(c1) -> ReLU -> maxpool2 -> conv5x5(c2) -> ReLU -> maxpool2 ->
    conv5x5(c3) -> ReLU -> fc(fc_channels) -> ReLU``. The classifier layer is
    the head's (MMCls ``LinearClsHead``: ``head.fc``), so DFAD's logits
    recorders find it where they find ResNet's.

    ``DAFLLeNet5()`` is LeNet-5 (6-16-120, fc 84);
    ``DAFLLeNet5(channels=(3, 8, 60), fc_channels=42)`` is the papers'
    LeNet-5-half.

    Args:
        in_channels (int): Image channels. Defaults to 1.
        channels (Sequence[int]): Output channels of the three convolutions.
            Defaults to ``(6, 16, 120)``.
        fc_channels (int): Width of the hidden fully connected layer.
            Defaults to 84.
        with_bn (bool): BatchNorm after each convolution and the hidden
            fully connected layer, before the ReLU (a teacher whose BN
            statistics a generator can match). Defaults to False.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 1,
                 channels: Sequence[int] = (6, 16, 120),
                 fc_channels: int = 84,
                 with_bn: bool = False,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != 3:
            raise ValueError('DAFLLeNet5: channels must list the three '
                             f'convolution widths, got {channels!r}.')
        c1, c2, c3 = channels

        def conv(in_width: int, out_width: int) -> list:
            layers = [nn.Conv2d(in_width, out_width, 5)]
            if with_bn:
                layers.append(nn.BatchNorm2d(out_width))
            return layers + [nn.ReLU(inplace=True)]

        self.features = nn.Sequential(*conv(in_channels, c1), nn.MaxPool2d(2),
                                      *conv(c1, c2), nn.MaxPool2d(2),
                                      *conv(c2, c3))
        fc = [nn.Linear(c3, fc_channels)]
        if with_bn:
            fc.append(nn.BatchNorm1d(fc_channels))
        self.fc = nn.Sequential(*fc, nn.ReLU(inplace=True))
        self.out_channels = fc_channels

    def forward(self, images: torch.Tensor) -> Tuple[torch.Tensor]:
        """Features of 32x32 images.

        Args:
            images (torch.Tensor): Shape ``(N, in_channels, 32, 32)``.

        Returns:
            tuple[torch.Tensor]: One tensor of shape ``(N, fc_channels)``.
        """
        if images.shape[-2:] != (32, 32):
            raise ValueError(
                'DAFLLeNet5 takes 32x32 images (MNIST is resized to 32x32), '
                'got '
                f'{tuple(images.shape[-2:])}.')
        features = self.features(images).flatten(1)
        return (self.fc(features), )
