# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import copy
import math
import warnings
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor_dfad.registry import HOOKS
from mmrazor_dfad.structures import ground_truth_label


def generated_prediction_stats(
        teacher_logits: torch.Tensor) -> Dict[str, float]:
    """How a teacher's predictions on generated images spread.

    Args:
        teacher_logits (torch.Tensor): Shape ``(N, num_classes)``.

    Returns:
        dict[str, float]: ``confidence`` (mean max softmax probability, in
        ``[1/num_classes, 1]``), ``classes_predicted`` (how many classes are
        some image's argmax), ``class_entropy`` (entropy of the argmax
        histogram divided by ``log(num_classes)``: 1 for an even spread, 0
        when every image gets one class) and ``logit_std`` (standard
        deviation of the logits over classes, averaged over images).
    """
    num_classes = teacher_logits.shape[1]
    probs = teacher_logits.float().softmax(dim=1)
    counts = torch.bincount(probs.argmax(dim=1), minlength=num_classes)
    share = counts.float() / counts.sum()
    nonzero = share[share > 0]
    entropy = float(-(nonzero * nonzero.log()).sum()) / math.log(num_classes)
    return dict(
        confidence=float(probs.max(dim=1).values.mean()),
        classes_predicted=int((counts > 0).sum()),
        class_entropy=entropy,
        logit_std=float(teacher_logits.float().std(dim=1).mean()))


@HOOKS.register_module()
class TeacherCheckHook(Hook):
    """Check the frozen teachers once, before the first iteration.

    Distilling from a teacher that failed to load properly (a random
    initialisation with the right shapes, the wrong file) trains for hours
    and teaches nothing. Before training starts this hook logs, for every
    teacher:

    - always, without any data: how its predictions on ``num_images``
      generated images spread over the classes (see
      :func:`generated_prediction_stats`); it warns when the teacher is
      barely more confident than uniform guessing
      (``confidence < min_confidence_ratio / num_classes``), which is what an
      untrained network looks like;
    - for any task, when the validation dataset names its classes: that
      the teacher predicts as many classes, or it raises before the first
      iteration (a teacher of another dataset);
    - when the config has a ``val_dataloader``: its top-1 on up to
      ``max_val_images`` real validation images; it warns when that is
      below ``min_top1_ratio`` times the accuracy of guessing (100 /
      num_classes).

    Nothing the training uses is changed: the generator runs as a copy, on
    latents of its own random generator, and runs once in training mode
    (BatchNorm statistics of the batch) as in training.

    Args:
        num_images (int): Generated images to look at. Defaults to 256.
        min_confidence_ratio (float): Warn below this multiple of the
            uniform confidence ``1 / num_classes``. Defaults to 1.5.
        max_val_images (int): Real validation images to score at most
            (0 disables the real-data check). Defaults to 2000.
        min_top1_ratio (float): Warn below this multiple of chance
            accuracy. Defaults to 2.0.
        seed (int): Seed of the latents. Defaults to 0.
    """

    priority = 'NORMAL'

    def __init__(self,
                 num_images: int = 256,
                 min_confidence_ratio: float = 1.5,
                 max_val_images: int = 2000,
                 min_top1_ratio: float = 2.0,
                 seed: int = 0) -> None:
        if num_images < 2:
            raise ValueError('TeacherCheckHook: num_images must be >= 2.')
        self.num_images = num_images
        self.min_confidence_ratio = min_confidence_ratio
        self.max_val_images = max_val_images
        self.min_top1_ratio = min_top1_ratio
        self.seed = seed

    @staticmethod
    def _algorithm(runner) -> nn.Module:
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        algorithm = self._algorithm(runner)
        teachers = getattr(algorithm, 'teachers', None)
        if not teachers:
            return
        task = getattr(algorithm, 'task', None)
        self._check_classes(runner, algorithm)
        if task is not None and type(task).__name__ != 'ClassificationTask':
            # The checks read class logits (N, C) and image labels.
            runner.logger.info(
                f'TeacherCheckHook: checks classifiers only; skipped for '
                f'{type(task).__name__} (the validation reports the '
                "teacher's metrics).")
            return
        generated = self._teacher_logits_on_generated(algorithm)
        for name, logits in generated.items():
            stats = generated_prediction_stats(logits)
            num_classes = logits.shape[1]
            runner.logger.info(
                f"Teacher '{name}' on {self.num_images} generated images: "
                f"confidence {stats['confidence']:.3f} (uniform "
                f"{1 / num_classes:.3f}), {stats['classes_predicted']} of "
                f'{num_classes} classes predicted, class entropy '
                f"{stats['class_entropy']:.2f}, logit std "
                f"{stats['logit_std']:.3f}.")
            if stats['confidence'] < self.min_confidence_ratio / num_classes:
                self._warn(
                    runner,
                    f"Teacher '{name}' looks untrained: on generated images "
                    f"its confidence is {stats['confidence']:.3f}, close to "
                    f'uniform guessing ({1 / num_classes:.3f}). Check '
                    f"model.teachers['{name}'].ckpt_path names the trained "
                    'teacher.')
        if self.max_val_images > 0 and runner.val_loop is not None:
            self._check_on_real_data(runner, algorithm)

    @torch.no_grad()
    def _check_classes(self, runner, algorithm: nn.Module) -> None:
        """Refuse a teacher whose number of classes (its logits on blank
        images of the generator's shape, through the task) differs from the
        validation dataset's ``metainfo['classes']``."""
        val_loop = getattr(runner, 'val_loop', None)
        dataset = getattr(
            getattr(val_loop, 'dataloader', None), 'dataset', None)
        classes = (getattr(dataset, 'metainfo', None) or {}).get('classes')
        generator = algorithm.generator
        if is_model_wrapper(generator):
            generator = generator.module
        size = getattr(generator, 'img_size', None)
        task = getattr(algorithm, 'task', None)
        if not classes or size is None or task is None:
            return
        channels = getattr(generator, 'out_channels', 3)
        for name, teacher in algorithm.teachers.items():
            device = next(teacher.parameters()).device
            was_training = teacher.training
            teacher.eval()
            try:
                predicted = task.logits(
                    teacher,
                    torch.zeros(2, channels, size, size,
                                device=device)).shape[1]
            finally:
                teacher.train(was_training)
            if predicted != len(classes):
                shown = ', '.join(map(str, list(classes)[:4]))
                raise ValueError(
                    f"Teacher '{name}' predicts {predicted} classes but the "
                    f'validation dataset has {len(classes)} ({shown}, ...): '
                    'it was trained for other data. Give '
                    f"model.teachers['{name}'] the checkpoint and num_classes "
                    "of this dataset's teacher, or point the dataloaders at "
                    "the teacher's dataset.")

    @torch.no_grad()
    def _teacher_logits_on_generated(
            self, algorithm: nn.Module) -> Dict[str, torch.Tensor]:
        generator = algorithm.generator
        if is_model_wrapper(generator):
            generator = generator.module
        latent_dim = getattr(generator, 'latent_dim', None)
        if latent_dim is None:
            return {}
        generator = copy.deepcopy(generator).train()
        device = next(generator.parameters()).device
        rng = torch.Generator().manual_seed(self.seed)
        latent = torch.randn(self.num_images, latent_dim, generator=rng)
        images = generator(latent.to(device))
        return {
            name: teacher(images, mode='tensor')
            for name, teacher in algorithm.teachers.items()
        }

    @torch.no_grad()
    def _check_on_real_data(self, runner, algorithm: nn.Module) -> None:
        dataloader = runner.val_loop.dataloader
        correct: Dict[str, int] = {name: 0 for name in algorithm.teachers}
        seen = 0
        num_classes: Optional[int] = None
        for data_batch in dataloader:
            if not isinstance(data_batch, dict) or 'inputs' not in data_batch:
                runner.logger.info(
                    'TeacherCheckHook: the validation set holds no real '
                    'images (e.g. a GeneratedBankDataset); skipping the '
                    'real-data teacher check.')
                return
            data = algorithm.data_preprocessor(data_batch, False)
            try:
                labels = torch.cat([
                    ground_truth_label(sample)
                    for sample in data['data_samples']
                ])
            except (AttributeError, KeyError, TypeError):
                runner.logger.info(
                    'TeacherCheckHook: the validation samples carry no '
                    'gt_label; skipping the real-data teacher check.')
                return
            for name, teacher in algorithm.teachers.items():
                logits = teacher(data['inputs'], mode='tensor')
                num_classes = logits.shape[1]
                correct[name] += int(
                    (logits.argmax(dim=1).cpu() == labels.cpu()).sum())
            seen += len(labels)
            if seen >= self.max_val_images:
                break
        if not seen or num_classes is None:
            return
        chance = 100.0 / num_classes
        for name, hits in correct.items():
            top1 = 100.0 * hits / seen
            runner.logger.info(
                f"Teacher '{name}' top-1 on {seen} validation images: "
                f'{top1:.2f} (chance {chance:.2f}).')
            if top1 < self.min_top1_ratio * chance:
                self._warn(
                    runner, f"Teacher '{name}' scores {top1:.2f} top-1 on the "
                    f'validation data, near chance ({chance:.2f}): it is '
                    'untrained, trained on other data, or given differently '
                    'normalised images. Check model.teachers[\''
                    f"{name}'].ckpt_path and its data_preprocessor.")

    @staticmethod
    def _warn(runner, message: str) -> None:
        runner.logger.warning(message)
        warnings.warn(message)
