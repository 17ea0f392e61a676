# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class ThingBalanceLoss(nn.Module):
    """A class-balance prior for segmentation over the "thing" classes only.

    DAFL's information-entropy prior pushes the batch-mean class
    distribution toward uniform over *all* classes, which asks a scene's
    background ("stuff": sky, road, ground) to cover as few pixels as each
    object class, the opposite of real scenes. This prior leaves the stuff
    classes alone. With ``p`` the teacher's per-pixel softmax and ``q`` its
    mean over the batch and the pixels (shape ``(C, )``):

    ``loss = w * (log K - H(q_things / sum q_things))
    + w * max(0, min_thing_fraction - sum q_things) * log K``

    The first term is the KL divergence of the thing classes' share of
    ``q`` from uniform over the ``K`` thing classes: generated batches that
    the teacher reads as many different objects, not one. The optional
    second term (a hinge, scaled like the first) asks that objects cover at
    least ``min_thing_fraction`` of the pixels, so balance is not reached
    by drawing almost no object at all.

    Feed it the teacher's per-pixel logits (``decode_head.conv_seg``) on the
    generator side, with a positive weight (the generator minimises it).

    Args:
        thing_classes (Sequence[int]): Indices of the thing classes in the
            logits' class dimension (at least 2).
        loss_weight (float): Weight. Defaults to 1.0.
        min_thing_fraction (float, optional): Least share of the pixels the
            thing classes should take. ``None`` (default) switches the
            hinge off.
    """

    def __init__(self,
                 thing_classes: Sequence[int],
                 loss_weight: float = 1.0,
                 min_thing_fraction: Optional[float] = None) -> None:
        super().__init__()
        thing_classes = list(thing_classes)
        if len(thing_classes) < 2 or len(set(thing_classes)) != len(
                thing_classes) or min(thing_classes) < 0:
            raise ValueError(
                'ThingBalanceLoss: thing_classes must list at least two '
                f'distinct class indices >= 0, got {thing_classes}; pass the '
                "indices of the object classes (e.g. the dataset's "
                '`scenes_things`).')
        if min_thing_fraction is not None and not 0 < min_thing_fraction < 1:
            raise ValueError(
                'ThingBalanceLoss: min_thing_fraction must be in (0, 1) or '
                f'None, got {min_thing_fraction}.')
        self.register_buffer(
            'thing_classes',
            torch.tensor(thing_classes, dtype=torch.long),
            persistent=False)
        self.loss_weight = loss_weight
        self.min_thing_fraction = min_thing_fraction

    def forward(self, preds_T: torch.Tensor) -> torch.Tensor:
        """Args:
            preds_T (torch.Tensor): The teacher's logits, shape
                ``(N, C, h, w)``.

        Returns:
            torch.Tensor: The weighted loss, a scalar.
        """
        num_classes = preds_T.shape[1]
        if int(self.thing_classes.max()) >= num_classes:
            raise ValueError(
                'ThingBalanceLoss: thing class index '
                f'{int(self.thing_classes.max())} is out of range for logits '
                f'with {num_classes} classes; set thing_classes to the '
                "teacher's object classes.")
        # Mean class distribution of the batch, (C, ), in float32 so that
        # half-precision logits do not underflow in the log below.
        mean_probs = F.softmax(preds_T.float(), dim=1).mean(dim=(0, 2, 3))
        things = mean_probs[self.thing_classes]
        thing_fraction = things.sum()
        shares = things / thing_fraction.clamp_min(1e-12)
        entropy = -(shares * shares.clamp_min(1e-12).log()).sum()
        log_k = math.log(len(self.thing_classes))
        loss = log_k - entropy
        if self.min_thing_fraction is not None:
            loss = loss + log_k * F.relu(self.min_thing_fraction -
                                         thing_fraction)
        return self.loss_weight * loss
