# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Soft class targets shaped by how similar the teacher finds its classes
(ZSKD, Nayak et al., ICML 2019)."""
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS

# Dirichlet concentrations must be > 0; ZSKD floors the normalised
# similarity of the least similar class here.
_CONCENTRATION_FLOOR = 1e-6
# ZSKD's concentration scales: half of each batch spread, half spiky.
ZSKD_BETAS = (1.0, 0.1)


def class_similarity(class_vectors: torch.Tensor) -> torch.Tensor:
    """Min-max normalised cosine similarity of the class vectors.

    Args:
        class_vectors (torch.Tensor): One vector per class, shape ``(K, D)``:
            the rows of the teacher's final linear layer, or mean teacher
            logits per class where the head is not linear.

    Returns:
        torch.Tensor: Shape ``(K, K)``; row ``k`` is in ``[floor, 1]`` with
        1 on the diagonal (a class is most similar to itself).
    """
    if class_vectors.dim() != 2 or class_vectors.shape[0] < 2:
        raise ValueError(
            'class_similarity: class_vectors must have shape (K, D) with '
            f'K >= 2 classes, got {tuple(class_vectors.shape)}.')
    vectors = F.normalize(class_vectors.detach().float(), dim=1)
    cosine = vectors @ vectors.t()
    low = cosine.min(dim=1, keepdim=True).values
    high = cosine.max(dim=1, keepdim=True).values
    normalised = (cosine - low) / (high - low).clamp_min(1e-12)
    return normalised.clamp_min(_CONCENTRATION_FLOOR)


def class_vectors_from_logits(logits: torch.Tensor, classes: torch.Tensor,
                              num_classes: int) -> torch.Tensor:
    """Mean teacher logits of the images of each class, shape ``(K, K)``:
    the class vectors of a teacher whose head is not a linear layer.

    Args:
        logits (torch.Tensor): Teacher logits, shape ``(N, K)``.
        classes (torch.Tensor): Class of each image, shape ``(N, )``.
        num_classes (int): ``K``.

    Returns:
        torch.Tensor: Shape ``(K, K)``.
    """
    counts = torch.bincount(classes, minlength=num_classes)
    if (counts == 0).any():
        missing = torch.nonzero(counts == 0).flatten().tolist()
        raise ValueError('class_vectors_from_logits: no image of the classes '
                         f'{missing}; give at least one image of every class.')
    sums = torch.zeros(
        num_classes, logits.shape[1], dtype=logits.dtype, device=logits.device)
    sums.index_add_(0, classes, logits.detach())
    return sums / counts.to(logits.dtype)[:, None]


def find_classifier(model: nn.Module, name: Optional[str]) -> nn.Linear:
    """The final linear layer of ``model``: the module called ``name``, or
    the last ``nn.Linear`` when ``name`` is None.

    Raises:
        ValueError: if there is no such layer.
    """
    modules = dict(model.named_modules())
    if name is not None:
        if name not in modules or not isinstance(modules[name], nn.Linear):
            linear = [
                key for key, module in modules.items()
                if isinstance(module, nn.Linear)
            ]
            raise ValueError(
                f'find_classifier: {name!r} is not a linear layer of the '
                f'teacher; its linear layers are {linear}. Set classifier '
                "to one of them, or similarity_from='logits'.")
        return modules[name]
    linear = [
        module for module in modules.values() if isinstance(module, nn.Linear)
    ]
    if not linear:
        raise ValueError(
            'find_classifier: the teacher has no nn.Linear layer; use '
            "similarity_from='logits'.")
    return linear[-1]


@MODELS.register_module()
class ClassSimilarityTargets(nn.Module):
    """Samples soft targets around classes from Dirichlet distributions
    whose concentrations follow the teacher's class similarity.

    The target of an image of class ``k`` is drawn from
    ``Dir(beta * S_k)``, where ``S_k`` is row ``k`` of
    :func:`class_similarity`. Similar classes (shirt, coat, pullover) get
    probability mass together; a large ``beta`` gives targets near the
    mean ``S_k / sum(S_k)``, a small one spiky, varied targets. ZSKD draws
    half of the targets with ``beta=1`` and half with ``beta=0.1``
    (``betas=(1.0, 0.1)``, split evenly over each batch).

    The similarity is a buffer: saved with the checkpoint where the targets
    are part of the model (:class:`ClassSimilarityKLLoss`), and by
    :class:`DataImpressionHook` for its synthesizer's. Sampling uses a
    ``torch.Generator`` handed in by the caller, never the global state.

    Args:
        num_classes (int): ``K``.
        betas (Sequence[float]): Concentration scales, split evenly over a
            batch. Defaults to ``(1.0, 0.1)``.
    """

    def __init__(self,
                 num_classes: int,
                 betas: Sequence[float] = ZSKD_BETAS) -> None:
        super().__init__()
        if isinstance(
                num_classes,
                bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError('ClassSimilarityTargets: num_classes must be an '
                             f'integer >= 2, got {num_classes!r}.')
        betas = tuple(float(beta) for beta in betas)
        if not betas or min(betas) <= 0:
            raise ValueError('ClassSimilarityTargets: betas must be positive '
                             f'concentration scales, got {betas!r}.')
        self.num_classes = num_classes
        self.betas = betas
        # Identity until fitted: targets then concentrate on their class.
        self.register_buffer(
            'similarity',
            torch.eye(num_classes).clamp_min(_CONCENTRATION_FLOOR))
        self.register_buffer('fitted', torch.zeros((), dtype=torch.bool))

    @torch.no_grad()
    def fit(self, class_vectors: torch.Tensor) -> None:
        """Set the similarity from class vectors, shape ``(K, D)``."""
        if class_vectors.shape[0] != self.num_classes:
            raise ValueError(
                f'ClassSimilarityTargets: got {class_vectors.shape[0]} class '
                f'vectors for num_classes={self.num_classes}.')
        self.similarity.copy_(class_similarity(class_vectors))
        self.fitted.fill_(True)

    @torch.no_grad()
    def sample(self, classes: torch.Tensor,
               rng: torch.Generator) -> torch.Tensor:
        """Soft targets of images of the given classes.

        Args:
            classes (torch.Tensor): Shape ``(N, )``, integers in ``[0, K)``.
            rng (torch.Generator): CPU generator of the draw.

        Returns:
            torch.Tensor: Probabilities, shape ``(N, K)``, on the device of
            ``classes``; rows sum to 1.
        """
        count = classes.shape[0]
        # Beta of each image: the batch split evenly between the betas.
        beta_index = torch.arange(count) * len(self.betas) // max(count, 1)
        beta = torch.tensor(self.betas, dtype=torch.float64)[beta_index]
        concentration = self.similarity.detach().double().cpu()[
            classes.cpu()] * beta[:, None]
        seed = int(torch.randint(2**31 - 1, (1, ), generator=rng))
        # Dirichlet as normalised Gammas of a private NumPy stream.
        gammas = np.random.default_rng(seed).gamma(concentration.numpy())
        gammas = np.maximum(gammas, 1e-30)
        targets = gammas / gammas.sum(axis=1, keepdims=True)
        return torch.as_tensor(
            targets, dtype=torch.float32, device=classes.device)
