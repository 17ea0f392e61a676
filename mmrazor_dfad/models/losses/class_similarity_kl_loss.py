# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from mmrazor_dfad.models.synthesizers.class_similarity import \
    class_vectors_from_logits
from mmrazor_dfad.models.synthesizers.seeded_stream import SeededStream
from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class ClassSimilarityKLLoss(SeededStream):
    """Generator prior pulling each image's teacher output toward a soft
    target shaped by class similarity (ZSKD's targets as a DAFL-style
    term).

    Each image gets a class, its teacher argmax (``target_classes=
    'argmax'``, as DAFL's one-hot term) or ``(offset + i) mod K``
    (``'balanced'``, classes balanced by construction), and a target drawn
    by :class:`ClassSimilarityTargets` around it. The loss is the KL
    divergence of the teacher's output at ``temperature`` from the target,
    mean over images: ``w * KL(target || softmax(t / T))``.

    The class similarity comes from ``classifier_weight`` (the teacher's
    final linear layer, recorded with MMRazor's ``ParameterRecorder``) on
    the first call; without it, from the teacher's mean logits per argmax
    class of the first batch that holds every class. Until then targets
    are (near) one-hot. Draws use a private generator (``seed``, rank and a
    draw counter saved in the checkpoint).

    Args:
        num_classes (int): ``K``.
        betas (Sequence[float]): Dirichlet concentration scales, split
            evenly over each batch. Defaults to ``(1.0, 0.1)``.
        temperature (float): Softening of the teacher's logits. Defaults to
            20 (ZSKD).
        target_classes (str): ``'argmax'`` or ``'balanced'``. Defaults to
            ``'argmax'``.
        loss_weight (float): Weight. Defaults to 1.0.
        seed (int, optional): Seed of the draws. Defaults to None: the
            run's seed (``torch.initial_seed()`` when built).
    """

    TARGET_CLASSES = ('argmax', 'balanced')

    def __init__(self,
                 num_classes: int,
                 betas: Sequence[float] = (1.0, 0.1),
                 temperature: float = 20.0,
                 target_classes: str = 'argmax',
                 loss_weight: float = 1.0,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        if target_classes not in self.TARGET_CLASSES:
            raise ValueError(
                'ClassSimilarityKLLoss: target_classes must be one of '
                f'{self.TARGET_CLASSES}, got {target_classes!r}.')
        if temperature <= 0:
            raise ValueError('ClassSimilarityKLLoss: temperature must be '
                             f'positive, got {temperature!r}.')
        self.targets = MODELS.build(
            dict(
                type='ClassSimilarityTargets',
                num_classes=num_classes,
                betas=betas))
        self.temperature = temperature
        self.target_classes = target_classes
        self.loss_weight = loss_weight

    def _fit(self, preds_T: torch.Tensor,
             classifier_weight: Optional[torch.Tensor]) -> None:
        if classifier_weight is not None:
            if classifier_weight.shape[0] != self.targets.num_classes:
                raise ValueError(
                    'ClassSimilarityKLLoss: the recorded classifier weight '
                    f'has {classifier_weight.shape[0]} rows, num_classes is '
                    f'{self.targets.num_classes}; record the final linear '
                    "layer's weight (e.g. source='lenet5.head.fc.weight').")
            self.targets.fit(classifier_weight)
            return
        classes = preds_T.detach().argmax(dim=1)
        if torch.bincount(
                classes, minlength=self.targets.num_classes).min() > 0:
            self.targets.fit(
                class_vectors_from_logits(preds_T, classes,
                                          self.targets.num_classes))

    def forward(
            self,
            preds_T: torch.Tensor,
            classifier_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Args:
            preds_T (torch.Tensor): Teacher logits, shape ``(N, K)``.
            classifier_weight (torch.Tensor, optional): The teacher's final
                linear weight, shape ``(K, D)``.

        Returns:
            torch.Tensor: The weighted loss, a scalar.
        """
        if not bool(self.targets.fitted):
            self._fit(preds_T, classifier_weight)
        rng = self.next_generator()
        count, num_classes = preds_T.shape
        if self.target_classes == 'argmax':
            classes = preds_T.detach().argmax(dim=1)
        else:
            offset = int(torch.randint(num_classes, (1, ), generator=rng))
            classes = (torch.arange(count, device=preds_T.device) +
                       offset) % num_classes
        soft_targets = self.targets.sample(classes, rng)
        log_probs = F.log_softmax(preds_T / self.temperature, dim=1)
        kl = (soft_targets *
              (soft_targets.clamp_min(1e-12).log() - log_probs)).sum(dim=1)
        return self.loss_weight * kl.mean()
