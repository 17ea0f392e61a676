# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of vertically and of horizontally
    neighbouring pixels, summed; images of shape ``(N, C, H, W)``."""
    vertical = (images[..., 1:, :] - images[..., :-1, :]).abs().mean()
    horizontal = (images[..., :, 1:] - images[..., :, :-1]).abs().mean()
    return vertical + horizontal


@MODELS.register_module()
class TotalVariationLoss(nn.Module):
    """Anisotropic total variation of images: an image-smoothness prior.

    ``loss = w * (mean |x[..., i+1, :] - x[..., i, :]|
                  + mean |x[..., :, j+1] - x[..., :, j]|)``

    As a generator loss it penalises pixel noise and high-frequency
    textures that excite a teacher without resembling images (the image
    prior of DeepInversion and of model-inversion work). Feed it the
    generated images, e.g. recorded as the teacher's input
    (``dict(type='ModuleInputs', source='lenet5')``, ``data_idx=0``).

    Args:
        loss_weight (float): Weight. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Args:
            images (torch.Tensor): Shape ``(N, C, H, W)``.

        Returns:
            torch.Tensor: The weighted loss, a scalar.
        """
        return self.loss_weight * total_variation(images)
