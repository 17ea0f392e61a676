# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, List, Mapping, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper

from .generated_bank import bank_images


def _unwrap(module: nn.Module) -> nn.Module:
    """The module inside a DDP wrapper (evaluation needs no gradient sync)."""
    return module.module if is_model_wrapper(module) else module


class DataFreeValidationMixin:
    """Validation and test steps of a data-free distillation: the student's
    and the teachers' predictions on real images or on the images of a
    generated bank (label-free validation).

    The class using it has ``student``, ``teachers``, ``generator``,
    ``task``, ``data_preprocessor`` and ``_memory_format``.
    """

    @torch.no_grad()
    def val_step(self, data: Union[Dict, List]) -> List:
        """Student and teacher predictions on a validation batch.

        Two kinds of batch: real images (``{'inputs', 'data_samples'}``,
        pre-processed by ``data_preprocessor``), or indices of a
        :class:`GeneratedBankDataset` (``{'bank_index', 'bank_seed'}``),
        which are turned into images by the generator at fixed latents.

        Args:
            data (dict): A collated batch of either kind.

        Returns:
            list: The task's data samples, one per image, with the student's
            predictions and both networks' logits (with several teachers,
            the mean of their logits); see ``task.pack_predictions``.
        """
        if isinstance(data, Mapping) and 'bank_index' in data:
            images = self.bank_images(data['bank_index'], data['bank_seed'],
                                      data.get('bank_latent_scale'),
                                      data.get('bank_mix'))
            data_samples = None
        else:
            data = self.data_preprocessor(data, False)
            images, data_samples = data['inputs'], data.get('data_samples')
        student = _unwrap(self.student)
        student_logits = self.task.logits(student, images)
        teacher_logits = torch.stack([
            self.task.logits(teacher, images)
            for teacher in self.teachers.values()
        ]).mean(dim=0)
        return self.task.pack_predictions(
            student_logits, teacher_logits, data_samples, student=student)

    def test_step(self, data: Union[Dict, List]) -> List:
        """Same as :meth:`val_step`."""
        return self.val_step(data)

    def bank_images(self,
                    indices: List[int],
                    seeds: List[int],
                    latent_scales: Optional[List[float]] = None,
                    mixes: Optional[List[bool]] = None) -> torch.Tensor:
        """Images of a :class:`GeneratedBankDataset` from the generator
        (see :func:`~.generated_bank.bank_images`).

        Args:
            indices (list[int]): Bank indices, length ``N``.
            seeds (list[int]): The bank's seed for each index, length ``N``.
            latent_scales (list[float], optional): Factor on each latent.
            mixes (list[bool], optional): Average image ``i`` with the image
                of a second latent.

        Returns:
            torch.Tensor: Shape ``(N, C, H, W)``, on the generator's device.
        """
        return self._memory_format(
            bank_images(
                _unwrap(self.generator), indices, seeds, latent_scales, mixes))
