# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmrazor_dfad.models.losses.total_variation_loss import total_variation
from mmrazor_dfad.registry import MODELS
from .class_similarity import class_vectors_from_logits, find_classifier


def _jensen_shannon(student_logits: torch.Tensor,
                    teacher_logits: torch.Tensor) -> torch.Tensor:
    """Per-image Jensen-Shannon divergence (natural log), shape ``(N, )``."""
    student = F.softmax(student_logits, dim=1)
    teacher = F.softmax(teacher_logits, dim=1)
    mean = ((student + teacher) / 2).clamp_min(1e-12)

    def kl(p: torch.Tensor) -> torch.Tensor:
        return (p * (p.clamp_min(1e-12).log() - mean.log())).sum(dim=1)

    return (kl(student) + kl(teacher)) / 2


class _EvalMode:
    """Puts modules in eval mode for a block and restores their modes."""

    def __init__(self, *modules: Optional[nn.Module]) -> None:
        self.modules = [module for module in modules if module is not None]

    def __enter__(self) -> None:
        self.modes = [[(sub, sub.training) for sub in module.modules()]
                      for module in self.modules]
        for module in self.modules:
            module.eval()

    def __exit__(self, *exc) -> None:
        for modes in self.modes:
            for sub, training in modes:
                sub.training = training


@MODELS.register_module()
class DataImpressionSynthesizer(nn.Module):
    """Optimises images directly against the frozen teacher toward soft
    class targets ("data impressions", ZSKD; DeepInversion without its
    BatchNorm term).

    Each batch starts from noise around the data's mean intensity (real
    Fashion-MNIST images are mostly black background, not mid-gray); every
    step jitters and flips it
    (``augmentation``), runs the teacher at ``temperature`` and lowers the
    cross-entropy of its softened output with the image's target, drawn
    by :class:`ClassSimilarityTargets` around a class (classes are
    balanced: image ``i`` of a batch gets class ``(offset + i) mod K``).
    Total-variation and L2 priors keep images smooth and small; an optional
    competition term (DeepInversion's ADI) favours images on which the
    student still disagrees with the teacher, ``1 - clamp(JS(s, t), 0,
    1)``.

    With ``pixel_normalization`` the pixels are parametrised through a
    sigmoid onto ``[0, 255]`` and normalised like the teacher's input, so
    every image is a valid image (as the generator's pixel range); without
    it they are free values in the normalised space.

    The class similarity comes from the teacher's final linear layer
    (``similarity_from='classifier'``), or, for heads that are not linear,
    from its mean logits on images first optimised toward one-hot targets
    (``'logits'``). It is computed on the first call and kept in
    ``targets``; :class:`DataImpressionHook` saves it with the checkpoint
    and restores it on resume (the synthesizer is not part of the model).

    Args:
        targets (dict): Config of the :class:`ClassSimilarityTargets`, e.g.
            ``dict(type='ClassSimilarityTargets', num_classes=10)``.
        steps (int): Optimisation steps per batch. Defaults to 150.
        lr (float): Adam learning rate on the pixel parameters. Defaults to
            0.05.
        temperature (float): Softening of the teacher's logits. Defaults to
            20 (ZSKD).
        tv_weight (float): Weight of the total variation (mean absolute
            difference of neighbouring pixels). Defaults to 0.
        l2_weight (float): Weight of the mean squared (normalised) pixel.
            Defaults to 0.
        competition_weight (float): Weight of the competition term; needs
            the student. Defaults to 0 (off).
        augmentation (dict, optional): Config of the differentiable
            augmentation of each step, e.g. ``dict(type='RandomShiftFlip')``.
            Defaults to None (none).
        batch_size (int): Images optimised together. Defaults to 256.
        pixel_normalization (dict, optional): ``dict(mean=[...], std=[...])``
            of the teacher's preprocessor, in pixel units.
        similarity_from (str): ``'classifier'`` or ``'logits'``. Defaults
            to ``'classifier'``.
        classifier (str, optional): Name of the teacher's final linear
            layer (e.g. ``'head.fc'``). Defaults to None: its last
            ``nn.Linear``.
        init_std (float): Standard deviation of the Gaussian noise each
            batch starts from, around the data's mean intensity (behind the
            sigmoid) with ``pixel_normalization``, around 0 without.
            Defaults to 1.0.
    """

    SIMILARITY_SOURCES = ('classifier', 'logits')

    def __init__(self,
                 targets: Dict,
                 steps: int = 150,
                 lr: float = 0.05,
                 temperature: float = 20.0,
                 tv_weight: float = 0.0,
                 l2_weight: float = 0.0,
                 competition_weight: float = 0.0,
                 augmentation: Optional[Dict] = None,
                 batch_size: int = 256,
                 pixel_normalization: Optional[Dict] = None,
                 similarity_from: str = 'classifier',
                 classifier: Optional[str] = None,
                 init_std: float = 1.0) -> None:
        super().__init__()
        for name, value in (('steps', steps), ('batch_size', batch_size)):
            if isinstance(value,
                          bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'DataImpressionSynthesizer: {name} must be '
                                 f'an integer >= 1, got {value!r}.')
        if similarity_from not in self.SIMILARITY_SOURCES:
            raise ValueError(
                'DataImpressionSynthesizer: similarity_from must be one of '
                f'{self.SIMILARITY_SOURCES}, got {similarity_from!r}.')
        if temperature <= 0 or lr <= 0:
            raise ValueError('DataImpressionSynthesizer: temperature and lr '
                             'must be positive.')
        self.targets = MODELS.build(targets)
        self.steps = steps
        self.lr = lr
        self.temperature = temperature
        self.tv_weight = tv_weight
        self.l2_weight = l2_weight
        self.competition_weight = competition_weight
        self.augmentation = MODELS.build(
            augmentation) if augmentation is not None else None
        self.batch_size = batch_size
        self.similarity_from = similarity_from
        self.classifier = classifier
        self.init_std = init_std
        if pixel_normalization is not None:
            self.register_buffer(
                'pixel_mean',
                torch.as_tensor(
                    pixel_normalization['mean'],
                    dtype=torch.float32).view(1, -1, 1, 1))
            self.register_buffer(
                'pixel_std',
                torch.as_tensor(
                    pixel_normalization['std'],
                    dtype=torch.float32).view(1, -1, 1, 1))
        else:
            self.pixel_mean = self.pixel_std = None

    def _initial_parameter(self, channels: int) -> torch.Tensor:
        """The parameter at which optimisation starts, per channel: the
        data's mean intensity (the preprocessor's ``mean``) behind the
        sigmoid, or 0."""
        if self.pixel_mean is None:
            return torch.zeros(1, channels, 1, 1)
        share = (self.pixel_mean.cpu() / 255.0).clamp(1e-3, 1 - 1e-3)
        return torch.log(share / (1 - share)).expand(1, channels, 1, 1)

    def _images(self, parameters: torch.Tensor) -> torch.Tensor:
        if self.pixel_mean is None:
            return parameters
        pixels = torch.sigmoid(parameters) * 255.0
        return (pixels - self.pixel_mean) / self.pixel_std

    def fit_similarity(self, teacher: nn.Module, image_shape: Sequence[int],
                       device: torch.device, rng: torch.Generator) -> None:
        """Compute the class similarity of ``teacher`` (see class doc)."""
        if self.similarity_from == 'classifier':
            weight = find_classifier(teacher, self.classifier).weight
            if weight.shape[0] != self.targets.num_classes:
                raise ValueError(
                    f'DataImpressionSynthesizer: the teacher\'s classifier '
                    f'has {weight.shape[0]} outputs, the targets '
                    f'{self.targets.num_classes} classes; set '
                    'targets.num_classes to match.')
            self.targets.fit(weight)
            return
        # Unfitted targets are (near) one-hot: optimise toward them, then
        # read the teacher's logits per class.
        images, classes = self._optimise(teacher, None, self.batch_size,
                                         image_shape, device, rng)
        with torch.no_grad(), _EvalMode(teacher):
            logits = teacher(images, mode='tensor')
        self.targets.fit(
            class_vectors_from_logits(logits, classes,
                                      self.targets.num_classes))

    def _optimise(self, teacher: nn.Module, student: Optional[nn.Module],
                  count: int, image_shape: Sequence[int], device: torch.device,
                  rng: torch.Generator):
        """One batch of ``count`` optimised images and their classes."""
        num_classes = self.targets.num_classes
        offset = int(torch.randint(num_classes, (1, ), generator=rng))
        classes = (torch.arange(count) + offset) % num_classes
        soft_targets = self.targets.sample(classes, rng).to(device)
        noise = torch.randn(count, *image_shape, generator=rng)
        parameters = (self._initial_parameter(image_shape[0]) +
                      self.init_std * noise).to(device).requires_grad_(True)
        optimizer = torch.optim.Adam([parameters], lr=self.lr)
        use_student = student is not None and self.competition_weight > 0
        with _EvalMode(teacher, student if use_student else None):
            for _ in range(self.steps):
                images = self._images(parameters)
                # Drawn from the caller's stream: a resumed run's syntheses
                # equal an uninterrupted run's.
                seen = self.augmentation(images, rng) \
                    if self.augmentation is not None else images
                teacher_logits = teacher(seen, mode='tensor')
                log_probs = F.log_softmax(
                    teacher_logits / self.temperature, dim=1)
                loss = -(soft_targets * log_probs).sum(dim=1).mean()
                if self.tv_weight:
                    loss = loss + self.tv_weight * total_variation(images)
                if self.l2_weight:
                    loss = loss + self.l2_weight * images.pow(2).mean()
                if use_student:
                    divergence = _jensen_shannon(
                        student(seen, mode='tensor'), teacher_logits)
                    loss = loss + self.competition_weight * (
                        1 - divergence.clamp(0, 1)).mean()
                # Gradients of the pixels only: a backward pass would add
                # the competition term's gradient to the student's weights
                # (and clearing it afterwards would also drop what the
                # student had gathered, e.g. an open accumulation window).
                (parameters.grad, ) = torch.autograd.grad(loss, [parameters])
                optimizer.step()
        return self._images(parameters.detach()), classes.to(device)

    def synthesize(self,
                   teacher: nn.Module,
                   count: int,
                   image_shape: Sequence[int],
                   device: torch.device,
                   rng: torch.Generator,
                   student: Optional[nn.Module] = None) -> torch.Tensor:
        """Optimise ``count`` images, in batches of ``batch_size``.

        Args:
            teacher (nn.Module): The frozen teacher (called with
                ``mode='tensor'``, returning logits).
            count (int): Images to make.
            image_shape (Sequence[int]): ``(C, H, W)``.
            device (torch.device): Where to optimise.
            rng (torch.Generator): CPU generator of noise, classes and
                targets.
            student (nn.Module, optional): For the competition term.

        Returns:
            torch.Tensor: Shape ``(count, C, H, W)``, in the teacher's
            normalised input space, detached.
        """
        if not bool(self.targets.fitted):
            self.fit_similarity(teacher, image_shape, device, rng)
        batches = []
        for start in range(0, count, self.batch_size):
            size = min(self.batch_size, count - start)
            images, _ = self._optimise(teacher, student, size, image_shape,
                                       device, rng)
            batches.append(images)
        return torch.cat(batches)

    @staticmethod
    def batches(count: int, batch_size: int) -> int:
        """Number of optimised batches for ``count`` images."""
        return math.ceil(count / batch_size)
