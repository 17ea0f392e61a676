# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class AgreementMaskedL1Loss(nn.Module):
    """L1 distance of logits, counted only where teacher and student agree.

    ``loss = w / N * sum_i [argmax t_i == argmax s_i] * mean_c |s_ic - t_ic|``

    As the generator's adversarial term (negative ``loss_weight``) it pushes
    only images the student still classifies like the teacher towards
    disagreement, instead of images the student already gets wrong, whose
    discrepancy can be made arbitrarily large without teaching anything
    (the masked adversary of CMI / Fast-DFKD, on DFAD's L1 distance). With
    no agreeing image the loss is 0.

    Args:
        loss_weight (float): Weight; negative for the generator. Defaults
            to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, s_feature: torch.Tensor,
                t_feature: torch.Tensor) -> torch.Tensor:
        """Args:
            s_feature (torch.Tensor): Student logits, shape ``(N, K)``.
            t_feature (torch.Tensor): Teacher logits, shape ``(N, K)``.

        Returns:
            torch.Tensor: The weighted loss, a scalar.
        """
        agree = (s_feature.argmax(dim=1) == t_feature.argmax(dim=1)).to(
            s_feature.dtype)
        per_image = (s_feature - t_feature).abs().mean(dim=1)
        return self.loss_weight * (per_image * agree).sum() / max(
            s_feature.shape[0], 1)
