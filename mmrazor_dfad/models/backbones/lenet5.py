# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class LeNet5(BaseModule):
    """LeNet-5 for 32x32 images, as in the DFAD paper's MNIST experiments.

    ``conv5x5(c1) -> ReLU -> maxpool2 -> conv5x5(c2) -> ReLU -> maxpool2 ->
    conv5x5(c3) -> ReLU -> fc(fc_channels) -> ReLU``. The classifier layer is
    the head's (MMCls ``LinearClsHead``: ``head.fc``), so DFAD's logits
    recorders find it where they find ResNet's.

    ``LeNet5()`` is LeNet-5 (6-16-120, fc 84); ``LeNet5(channels=(3, 8, 60),
    fc_channels=42)`` is the paper's LeNet-5-half.

    Args:
        in_channels (int): Image channels. Defaults to 1.
        channels (Sequence[int]): Output channels of the three convolutions.
            Defaults to ``(6, 16, 120)``.
        fc_channels (int): Width of the hidden fully connected layer.
            Defaults to 84.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 1,
                 channels: Sequence[int] = (6, 16, 120),
                 fc_channels: int = 84,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != 3:
            raise ValueError('LeNet5: channels must list the three '
                             f'convolution widths, got {channels!r}.')
        c1, c2, c3 = channels
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, 5), nn.ReLU(inplace=True),
            nn.MaxPool2d(2), nn.Conv2d(c1, c2, 5), nn.ReLU(inplace=True),
            nn.MaxPool2d(2), nn.Conv2d(c2, c3, 5), nn.ReLU(inplace=True))
        self.fc = nn.Sequential(nn.Linear(c3, fc_channels), nn.ReLU(inplace=True))
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
                'LeNet5 takes 32x32 images (MNIST is resized to 32x32), got '
                f'{tuple(images.shape[-2:])}.')
        features = self.features(images).flatten(1)
        return (self.fc(features), )
