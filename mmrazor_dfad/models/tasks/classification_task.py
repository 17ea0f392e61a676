# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import copy
import importlib.util
import math
import warnings
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.structures import (classification_data_sample_type,
                                     ground_truth_label)
from .base_task import EXPORT_LIBRARIES, BaseTask, TaskMismatchError, unwrap

__all__ = [
    'ClassificationTask', 'TaskMismatchError', 'generated_prediction_stats'
]


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


def _warn(runner, message: str) -> None:
    """Log ``message`` as a warning and raise it as a ``UserWarning``."""
    runner.logger.warning(message)
    warnings.warn(message)


@MODELS.register_module()
class ClassificationTask(BaseTask):
    """What is specific to distilling classifiers: which logits the
    networks give, how predictions are packed for MMCls / MMPretrain
    metrics, the MNIST-style data folders, the teachers' confidence and
    top-1 before training, and MMCls / MMPretrain as the export's library.

    The training losses do not depend on the task (the distillers' recorders
    pick what they compare); validation, the generated bank and the build
    checks do.
    """

    def logits(self, model: nn.Module, images: torch.Tensor) -> torch.Tensor:
        """The model's logits.

        Args:
            model (nn.Module): An MMCls / MMPretrain classifier.
            images (torch.Tensor): Shape ``(N, C, H, W)``.

        Returns:
            torch.Tensor: Shape ``(N, num_classes)``.
        """
        logits = model(images, mode='tensor')
        if not isinstance(logits, torch.Tensor) or logits.dim() != 2:
            shape = tuple(getattr(logits, 'shape', ()))
            raise TaskMismatchError(
                f'ClassificationTask: {type(model).__name__} gives logits of '
                f'shape {shape}, not (N, num_classes). For MMSeg segmentors '
                "set model.task=dict(type='SegmentationTask').")
        return logits

    def check_logits(self, student_shape: Tuple[int, ...],
                     teacher_shape: Tuple[int, ...], teacher: str) -> None:
        """Refuse logits that cannot be compared.

        Args:
            student_shape (tuple[int]): Shape of the student's logits.
            teacher_shape (tuple[int]): Shape of the teacher's logits.
            teacher (str): The teacher, for the message.

        Raises:
            ValueError: When the shapes differ, naming the fix.
        """
        if student_shape != teacher_shape:
            raise ValueError(
                f'Student logits have shape {student_shape} but the {teacher} '
                f'gives {teacher_shape}: they cannot be compared. Give the '
                "student the teacher's number of classes (head.num_classes).")

    def pack_predictions(self,
                         student_logits: torch.Tensor,
                         teacher_logits: torch.Tensor,
                         data_samples: Optional[List],
                         student: Optional[nn.Module] = None) -> List:
        """Data samples carrying both networks' logits.

        Args:
            student_logits (torch.Tensor): Shape ``(N, num_classes)``.
            teacher_logits (torch.Tensor): Shape ``(N, num_classes)``.
            data_samples (list, optional): The batch's data samples (real
                images); None makes new ones (generated images).
            student (nn.Module, optional): Not needed for classifiers.

        Returns:
            list[DataSample]: One per image, with the student's
            ``pred_score`` / ``pred_label`` (what ``Accuracy`` reads), and
            ``student_logits`` and ``teacher_logits`` of shape
            ``(num_classes, )`` (what :class:`TeacherStudentMetric` reads).
        """
        if data_samples is None:
            sample_type = classification_data_sample_type()
            data_samples = [sample_type() for _ in student_logits]
        scores = student_logits.softmax(dim=1)
        for sample, s_logits, t_logits, score in zip(data_samples,
                                                     student_logits,
                                                     teacher_logits, scores):
            sample.set_pred_score(score).set_pred_label(score.argmax())
            sample.set_field(s_logits, 'student_logits', field_type='data')
            sample.set_field(t_logits, 'teacher_logits', field_type='data')
        return data_samples

    def check_data(self,
                   cfg: Mapping,
                   loaders: Optional[Sequence[str]] = None) -> List[str]:
        """The IDX files of every MMCls / MMPretrain ``MNIST`` or
        ``FashionMNIST`` dataset with ``download=False`` among ``loaders``
        (:func:`~mmrazor_dfad.datasets.check_idx_folders`). Before a
        training (``loaders`` None): the train and val dataloaders, which it
        reads (the training folder holds the test split's files too)."""
        from mmrazor_dfad.datasets.image_folders import check_idx_folders
        if loaders is None:
            loaders = ('train_dataloader', 'val_dataloader')
        return check_idx_folders(cfg, loaders)

    def check_teachers(self, runner, algorithm: nn.Module, *, num_images: int,
                       min_confidence_ratio: float, max_val_images: int,
                       min_top1_ratio: float, seed: int) -> None:
        """For every teacher: how its predictions on ``num_images``
        generated images spread over the classes
        (:func:`generated_prediction_stats`), with a warning when it is
        barely more confident than uniform guessing (``confidence <
        min_confidence_ratio / num_classes``, what an untrained network
        looks like); and, when the runner validates, its top-1 on up to
        ``max_val_images`` real validation images, with a warning below
        ``min_top1_ratio`` times chance (100 / num_classes).

        The generator runs as a copy, in training mode (BatchNorm statistics
        of the batch, as in training), on latents seeded by ``seed``.
        """
        generated = self._teacher_logits_on_generated(algorithm, num_images,
                                                      seed)
        for name, logits in generated.items():
            stats = generated_prediction_stats(logits)
            num_classes = logits.shape[1]
            runner.logger.info(
                f"Teacher '{name}' on {num_images} generated images: "
                f"confidence {stats['confidence']:.3f} (uniform "
                f"{1 / num_classes:.3f}), {stats['classes_predicted']} of "
                f'{num_classes} classes predicted, class entropy '
                f"{stats['class_entropy']:.2f}, logit std "
                f"{stats['logit_std']:.3f}.")
            if stats['confidence'] < min_confidence_ratio / num_classes:
                _warn(
                    runner,
                    f"Teacher '{name}' looks untrained: on generated images "
                    f"its confidence is {stats['confidence']:.3f}, close to "
                    f'uniform guessing ({1 / num_classes:.3f}). Check '
                    f"model.teachers['{name}'].ckpt_path names the trained "
                    'teacher.')
        if max_val_images > 0 and runner.val_loop is not None:
            self._check_on_real_data(runner, algorithm, max_val_images,
                                     min_top1_ratio)

    @torch.no_grad()
    def _teacher_logits_on_generated(self, algorithm: nn.Module,
                                     num_images: int,
                                     seed: int) -> Dict[str, torch.Tensor]:
        generator = unwrap(algorithm.generator)
        latent_dim = getattr(generator, 'latent_dim', None)
        if latent_dim is None:
            return {}
        generator = copy.deepcopy(generator).train()
        device = next(generator.parameters()).device
        rng = torch.Generator().manual_seed(seed)
        latent = torch.randn(num_images, latent_dim, generator=rng)
        images = generator(latent.to(device))
        return {
            name: teacher(images, mode='tensor')
            for name, teacher in algorithm.teachers.items()
        }

    @torch.no_grad()
    def _check_on_real_data(self, runner, algorithm: nn.Module,
                            max_val_images: int,
                            min_top1_ratio: float) -> None:
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
            if seen >= max_val_images:
                break
        if not seen or num_classes is None:
            return
        chance = 100.0 / num_classes
        for name, hits in correct.items():
            top1 = 100.0 * hits / seen
            runner.logger.info(
                f"Teacher '{name}' top-1 on {seen} validation images: "
                f'{top1:.2f} (chance {chance:.2f}).')
            if top1 < min_top1_ratio * chance:
                _warn(
                    runner, f"Teacher '{name}' scores {top1:.2f} top-1 on the "
                    f'validation data, near chance ({chance:.2f}): it is '
                    'untrained, trained on other data, or given differently '
                    'normalised images. Check model.teachers[\''
                    f"{name}'].ckpt_path and its data_preprocessor.")

    def export_library(self, student: Mapping,
                       default_scope: Optional[str]) -> str:
        """The library the student's config names (its ``_scope_``, an
        ``mmcls.`` / ``mmpretrain.`` prefix of its type or the config's
        default scope; MMRazor's own algorithms carry no task, and their
        students may be MMSeg's), else the classification library installed
        that has the student's type.

        Raises:
            ValueError: When neither tells, naming the fix.
        """
        type_name = str(student.get('type', ''))
        for scope in (student.get('_scope_'),
                      type_name.split('.')[0] if '.' in type_name else None,
                      default_scope):
            if scope in EXPORT_LIBRARIES:
                return scope
        name = type_name.rsplit('.', 1)[-1]
        for scope in ('mmcls', 'mmpretrain'):
            if importlib.util.find_spec(scope) is not None and _registered(
                    scope, name):
                return scope
        raise ValueError(
            f'Cannot tell which library the student ({type_name}) belongs to: '
            "give its type a scope (e.g. 'mmcls.ImageClassifier').")


def _registered(scope: str, type_name: str) -> bool:
    """Whether the ``MODELS`` registry of ``scope`` has ``type_name``."""
    try:
        registry = importlib.import_module(f'{scope}.registry').MODELS
        return registry.get(type_name) is not None
    except (ImportError, AttributeError, KeyError):
        return False
