# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Mapping, Tuple, Union

import torch
from mmengine.optim import OptimWrapperDict

from mmrazor_dfad.registry import MODELS
from .data_free_distillation import DataFreeDistillation
from .mmrazor_interface import LossAndLogs, TrainBatch, alternating_schedule


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
    recorders only. Each iteration generates one batch, runs the teacher on
    it once, and makes one generator update and one student update from it:
    the student distils the teacher on the same images, detached. Neither
    update reaches the other's weights, so no student forward is needed for
    the generator.

    The config schema is MMRazor 1.0.0's ``DAFLDataFreeDistillation`` (that
    of :class:`DataFreeDistillation`, whose ``student_iter`` and
    ``student_train_first`` DAFL does not use); MMRazor's
    ``dafl_logits_resnet34_resnet18_8xb256_cifar10.py`` runs with
    ``_scope_='mmrazor_dfad'``. It computes what MMRazor's does
    (``tests/test_models/test_mmrazor_equivalence.py``); with
    ``reproduce_mmrazor_side_effects=True`` the student also runs on the
    generated images in the generator update, as in MMRazor, which moves its
    BatchNorm running statistics once more per iteration.

    Args:
        *args: As :class:`DataFreeDistillation`.
        **kwargs: As :class:`DataFreeDistillation`; ``student_iter`` must be
            1 and ``pool`` None (DAFL trains the student on the batch the
            generator just made).
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
        student_side = list(
            self.generator_distiller.student_recorders.recorders)
        if student_side:
            raise ValueError(
                'DAFLDataFreeDistillation: the generator losses read the '
                'teacher only, but generator_distiller records the student '
                f'({student_side}). Remove its student_recorders, or use '
                "type='DataFreeDistillation' for an adversarial generator.")

    def train_step(
        self, data: TrainBatch, optim_wrapper: Union[OptimWrapperDict, Mapping]
    ) -> Dict[str, torch.Tensor]:
        """One DAFL iteration: one generator and one student update.

        Args:
            data (dict): The training batch; only its length is used.
            optim_wrapper (AlternatingOptimWrapper | OptimWrapperDict): The
                student's (``architecture``) and generator's wrappers.

        Returns:
            dict[str, torch.Tensor]: ``generator.*`` (the DAFL terms) and
            ``distill.*`` (the student's losses).
        """
        return alternating_schedule(optim_wrapper).train_jointly(
            self, self.infer_batch_size(data))

    def joint_losses(self, batch_size: int) -> Tuple[LossAndLogs, LossAndLogs]:
        """Generator and student losses of one generated batch (the
        ``JointDataFreeIteration`` the wrapper calls back).

        The teachers run once, under both distillers' recorders, with
        gradients (the generator's losses need them); the student's
        distiller gets their outputs detached.

        Args:
            batch_size (int): Images to generate.

        Returns:
            tuple: ``((generator_loss, generator_log_vars), (student_loss,
            student_log_vars))``.
        """
        fake_images = self._generate(batch_size)
        if self.reproduce_mmrazor_side_effects:
            # MMRazor's generator update runs the student on the images even
            # though no generator loss reads it.
            with torch.no_grad():
                self.student(fake_images, mode='tensor')
        with self.generator_distiller.teacher_recorders, \
                self.distiller.teacher_recorders:
            for teacher in self.teachers.values():
                teacher(fake_images, mode='tensor')
        generator_losses = self.generator_distiller.compute_distill_losses()
        for recorder in self.distiller.teacher_recorders.recorders.values():
            recorder.data_buffer[:] = [
                _detached(record) for record in recorder.data_buffer
            ]
        with self.distiller.student_recorders:
            self.student(fake_images.detach(), mode='tensor')
        student_losses = self.distiller.compute_distill_losses()
        return (self.parse_losses(generator_losses),
                self.parse_losses(student_losses))
