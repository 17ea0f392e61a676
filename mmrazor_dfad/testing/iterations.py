# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""An algorithm made of plain functions, to test the schedule of
:class:`AlternatingOptimWrapper` without a real one."""
from typing import Callable, Optional, Tuple

import torch
import torch.nn as nn

LossAndLogs = Tuple[torch.Tensor, dict]


class FunctionAlgorithm:
    """What ``AlternatingOptimWrapper.alternate`` asks of an algorithm, with
    losses given as functions: ``train_student`` makes ``student_iter``
    updates of ``student_loss()``, ``train_generator`` one of
    ``generator_loss()``, each under its wrapper's ``optim_context``.

    Args:
        student (nn.Module): The student.
        generator (nn.Module): The generator.
        student_loss (callable): ``() -> (loss, log_vars)``.
        generator_loss (callable): ``() -> (loss, log_vars)``.
        student_iter (int): Student updates per iteration. Defaults to 1.
        student_train_first (bool): Defaults to True.
        advance_generator (callable, optional): Called for a skipped
            generator update. Defaults to None (nothing to advance).
    """

    def __init__(self,
                 student: nn.Module,
                 generator: nn.Module,
                 student_loss: Callable[[], LossAndLogs],
                 generator_loss: Callable[[], LossAndLogs],
                 student_iter: int = 1,
                 student_train_first: bool = True,
                 advance_generator: Optional[Callable[[], None]] = None):
        self.student = student
        self.generator = generator
        self.student_iter = student_iter
        self.student_train_first = student_train_first
        self._losses = dict(student=student_loss, generator=generator_loss)
        self._advance_generator = advance_generator or (lambda: None)

    def _update(self, player: str, optimizer) -> LossAndLogs:
        with optimizer.optim_context(getattr(self, player)):
            loss, log_vars = self._losses[player]()
        optimizer.update_params(loss)
        prefix = 'distill' if player == 'student' else 'generator'
        return loss, {f'{prefix}.{k}': v.detach() for k, v in log_vars.items()}

    def train_student(self, data, optimizer) -> LossAndLogs:
        """``student_iter`` updates of the student loss (``data`` is not
        read); the last one's loss and logs."""
        for _ in range(self.student_iter):
            result = self._update('student', optimizer)
        return result

    def train_generator(self, data, optimizer) -> LossAndLogs:
        """One update of the generator loss (``data`` is not read)."""
        return self._update('generator', optimizer)

    def advance_generator(self, data) -> None:
        """The given stand-in for a skipped generator update."""
        self._advance_generator()
