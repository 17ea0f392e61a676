# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""An iteration made of plain functions, to test the schedule of
:class:`AlternatingOptimWrapper` without an algorithm."""
from typing import Callable, Optional, Tuple

import torch
import torch.nn as nn

LossAndLogs = Tuple[torch.Tensor, dict]


class FunctionIteration:
    """A ``DataFreeIteration`` whose losses are given functions.

    Args:
        student (nn.Module): The student.
        generator (nn.Module): The generator.
        student_loss (callable): ``() -> (loss, log_vars)``.
        generator_loss (callable): ``() -> (loss, log_vars)``.
        student_iter (int): Student updates per iteration. Defaults to 1.
        student_train_first (bool): Defaults to True.
        skip_generator (callable, optional): Called for a skipped generator
            update. Defaults to None (nothing to advance).
        freeze_student_in_generator_update (bool): Defaults to True.
    """

    def __init__(self,
                 student: nn.Module,
                 generator: nn.Module,
                 student_loss: Callable[[], LossAndLogs],
                 generator_loss: Callable[[], LossAndLogs],
                 student_iter: int = 1,
                 student_train_first: bool = True,
                 skip_generator: Optional[Callable[[], None]] = None,
                 freeze_student_in_generator_update: bool = True) -> None:
        self.student = student
        self.generator = generator
        self.student_iter = student_iter
        self.student_train_first = student_train_first
        self.freeze_student_in_generator_update = \
            freeze_student_in_generator_update
        self._student_loss = student_loss
        self._generator_loss = generator_loss
        self._skip_generator = skip_generator or (lambda: None)

    def student_loss(self, batch_size: int) -> LossAndLogs:
        """The given student loss (``batch_size`` is ignored)."""
        return self._student_loss()

    def generator_loss(self, batch_size: int) -> LossAndLogs:
        """The given generator loss (``batch_size`` is ignored)."""
        return self._generator_loss()

    def skip_generator(self, batch_size: int) -> None:
        """The given stand-in for a skipped generator update."""
        self._skip_generator()
