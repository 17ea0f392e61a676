# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from contextlib import ExitStack
from typing import Optional

import torch

from mmrazor_dfad.registry import MODELS
from .data_free_distillation import (DataFreeDistillation, LossAndLogs,
                                     TrainBatch, prefixed)


def _detached(record):
    """A recorded output with every tensor in it detached."""
    if isinstance(record, torch.Tensor):
        return record.detach()
    if isinstance(record, (tuple, list)):
        return type(record)(_detached(item) for item in record)
    return record


@MODELS.register_module()
class DAFLDataFreeDistillation(DataFreeDistillation):
    """Data-Free Learning of student networks (DAFL, Chen et al., ICCV 2019).

    The generator is not an adversary: it learns images that the teacher
    classifies confidently (one-hot), in balanced classes (information
    entropy) and with strong features (activation), from teacher-side
    recorders only. Each iteration generates one batch and runs the teacher
    on it once: :meth:`train_generator` updates the generator from the
    teacher's outputs, and :meth:`train_student`, which follows it in the
    same schedule as DFAD's (``student_iter=1``, generator first), distils
    the teacher on the same images, detached, from the teacher's outputs
    recorded then, detached. Neither update reaches the other's weights, so
    no student forward is needed for the generator.

    The config schema is MMRazor 1.0.0's ``DAFLDataFreeDistillation`` (that
    of :class:`DataFreeDistillation`); MMRazor's
    ``dafl_logits_resnet34_resnet18_8xb256_cifar10.py`` runs with
    ``_scope_='mmrazor_dfad'``. It computes what MMRazor's does
    (``tests/test_models/test_mmrazor_equivalence.py``); with
    ``reproduce_mmrazor_side_effects=True`` the student also runs on the
    generated images in the generator update, as in MMRazor, which moves its
    BatchNorm running statistics once more per iteration.

    Args:
        *args: As :class:`DataFreeDistillation`.
        **kwargs: As :class:`DataFreeDistillation`; ``student_iter`` must be
            1 and ``pool`` None, and ``student_train_first`` is not used
            (DAFL trains the student on the batch the generator just made).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.student_iter != 1:
            raise ValueError(
                'DAFLDataFreeDistillation makes one student update per '
                f'generator update; got student_iter={self.student_iter}. '
                'Remove model.student_iter (or set it to 1), or use '
                "type='DataFreeDistillation' for several student updates.")
        if self.pool is not None or self.student_batch_size is not None:
            raise ValueError(
                'DAFLDataFreeDistillation trains the student on the batch the '
                'generator just made: remove model.pool and '
                'model.student_batch_size.')
        # The student trains on the batch of the generator update: that
        # update comes first (MMRazor's DAFL ignores the key too).
        self.student_train_first = False
        # The batch of the last generator update, for the student update.
        self._batch: Optional[torch.Tensor] = None
        student_side = list(
            self.generator_distiller.student_recorders.recorders)
        if student_side:
            raise ValueError(
                'DAFLDataFreeDistillation: the generator losses read the '
                'teacher only, but generator_distiller records the student '
                f'({student_side}). Remove its student_recorders, or use '
                "type='DataFreeDistillation' for an adversarial generator.")

    def train_generator(self, data: TrainBatch, optimizer) -> LossAndLogs:
        """One generator update from a new batch, which the teacher sees
        once, under both distillers' recorders (the student's distiller
        keeps its outputs, detached, for :meth:`train_student`).

        Args:
            data (dict): The training batch; its length is the number of
                images.
            optimizer (OptimWrapper): The generator's optimizer wrapper.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The loss and the
            values to log, detached, prefixed ``generator.``.
        """
        with optimizer.optim_context(self.generator):
            self._generate_batch(data, self.generator_distiller)
            loss, log_vars = self.parse_losses(
                self.generator_distiller.compute_distill_losses())
        optimizer.update_params(loss)
        return prefixed('generator', log_vars)

    def train_student(self, data: TrainBatch, optimizer) -> LossAndLogs:
        """One student update on the batch of the generator update before
        it, detached.

        Args:
            data (dict): The training batch (not read).
            optimizer (OptimWrapper): The student's optimizer wrapper.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The loss and the
            values to log, detached, prefixed ``distill.``.
        """
        if self._batch is None:
            raise RuntimeError(
                'DAFLDataFreeDistillation.train_student distils on the batch '
                'of a generator update: call train_generator (or '
                'advance_generator) first.')
        fake_images, self._batch = self._batch, None
        with optimizer.optim_context(self.student):
            with self.distiller.student_recorders:
                self.student(fake_images, mode='tensor')
            loss, log_vars = self.parse_losses(
                self.distiller.compute_distill_losses())
        optimizer.update_params(loss)
        return prefixed('distill', log_vars)

    def advance_generator(self, data: TrainBatch) -> None:
        """The stand-in for a generator update skipped at learning rate 0:
        the batch and the teacher's outputs the student update needs,
        without gradients."""
        with torch.no_grad():
            self._generate_batch(data)

    def _generate_batch(self, data: TrainBatch, *distillers) -> None:
        """Generate a batch and run the teachers on it once, under the
        student distiller's teacher recorders (kept detached for the
        student update) and those of ``distillers``."""
        fake_images = self._generate(self.infer_batch_size(data))
        if self.reproduce_mmrazor_side_effects:
            # MMRazor's generator update runs the student on the images even
            # though no generator loss reads it.
            with torch.no_grad():
                self.student(fake_images, mode='tensor')
        with ExitStack() as stack:
            for distiller in (*distillers, self.distiller):
                stack.enter_context(distiller.teacher_recorders)
            for teacher in self.teachers.values():
                teacher(fake_images, mode='tensor')
        for recorder in self.distiller.teacher_recorders.recorders.values():
            recorder.data_buffer[:] = [
                _detached(record) for record in recorder.data_buffer
            ]
        self._batch = fake_images.detach()
