# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What an algorithm hands :class:`AlternatingOptimWrapper` for one
iteration.

The wrapper owns the schedule (how many updates, in which order, under
which contexts and guards); the algorithm owns the losses. The algorithm
passes itself, once per iteration, as an object with the attributes and
methods below; the wrapper calls nothing else on it::

    def train_step(self, data, optim_wrapper):
        # optim_wrapper: the runner's AlternatingOptimWrapper
        return optim_wrapper.alternate(self, self.infer_batch_size(data))

``DataFreeDistillation`` implements :class:`DataFreeIteration`;
``DAFLDataFreeDistillation`` implements :class:`JointDataFreeIteration`.
"""
from typing import Dict, Protocol, Tuple

import torch
import torch.nn as nn

# The loss to minimise and the values to log (undetached, unprefixed).
LossAndLogs = Tuple[torch.Tensor, Dict[str, torch.Tensor]]


class DataFreeIteration(Protocol):
    """One adversarial iteration: ``student_iter`` student updates and one
    generator update.

    Attributes:
        student (nn.Module): The student, possibly wrapped in DDP; its
            weights are what student updates change.
        generator (nn.Module): The generator, possibly wrapped in DDP.
        student_iter (int): Student updates per iteration (>= 1).
        student_train_first (bool): Student updates before the generator's.
        freeze_student_in_generator_update (bool): Keep the generator's loss
            off the student's weights (False reproduces MMRazor 1.0.0).
    """

    student: nn.Module
    generator: nn.Module
    student_iter: int
    student_train_first: bool
    freeze_student_in_generator_update: bool

    def student_loss(self, batch_size: int) -> LossAndLogs:
        """Loss of one student update on ``batch_size`` detached images."""

    def generator_loss(self, batch_size: int) -> LossAndLogs:
        """Loss of one generator update on ``batch_size`` new images."""

    def skip_generator(self, batch_size: int) -> None:
        """Stand-in for a generator update that is skipped (learning rate
        0): change what the update would have changed besides the
        generator's weights (its noise stream, BatchNorm statistics, the
        pool), so the state is that of running it."""


class JointDataFreeIteration(Protocol):
    """One DAFL iteration: a generator and a student update from the losses
    of one generated batch, which reach only their own player's weights.

    Attributes:
        student (nn.Module): The student, possibly wrapped in DDP.
        generator (nn.Module): The generator, possibly wrapped in DDP.
    """

    student: nn.Module
    generator: nn.Module

    def joint_losses(self, batch_size: int) -> Tuple[LossAndLogs, LossAndLogs]:
        """``(generator loss and logs, student loss and logs)`` of one
        generated batch of ``batch_size`` images."""
