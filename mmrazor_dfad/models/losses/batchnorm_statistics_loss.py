# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Tuple

import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS

# (batch mean, batch variance, running mean, running variance) of one layer.
LayerStatistics = Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


@MODELS.register_module()
class BatchNormStatisticsLoss(nn.Module):
    """Match the teacher's BatchNorm statistics (DeepInversion, DFQ).

    ``loss = w * sum_l ||mu_l - mu_l^BN||_2 + ||var_l - var_l^BN||_2``

    where ``mu_l``, ``var_l`` are the per-channel mean and variance of the
    generated batch at the input of the teacher's BatchNorm layer ``l`` and
    ``mu_l^BN``, ``var_l^BN`` the running statistics the teacher learnt on
    its real training data. Generated images that satisfy it look, to every
    layer of the teacher, like real data on average. Feed it the record of
    a ``BatchNormStatistics`` recorder on the teacher (generator side, a
    positive weight: the generator minimises it).

    Args:
        loss_weight (float): Weight. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, bn_statistics: List[LayerStatistics]) -> torch.Tensor:
        """Args:
            bn_statistics (list[tuple]): Per BatchNorm layer, ``(batch mean,
                batch variance, running mean, running variance)``, each of
                shape ``(C_l, )``.

        Returns:
            torch.Tensor: The weighted loss, a scalar.
        """
        if not bn_statistics:
            raise ValueError(
                'BatchNormStatisticsLoss: the recorder saw no BatchNorm '
                'layer; the teacher has none, so this prior cannot apply.')
        total = 0
        for mean, var, running_mean, running_var in bn_statistics:
            total = total + torch.linalg.vector_norm(mean - running_mean) + \
                torch.linalg.vector_norm(var - running_var)
        return self.loss_weight * total
