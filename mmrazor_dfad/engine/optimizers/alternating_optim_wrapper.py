# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmrazor_dfad.registry import OPTIM_WRAPPERS
from .player_optim_wrapper import PlayerOptimWrapper, as_player


@OPTIM_WRAPPERS.register_module()
class AlternatingOptimWrapper(OptimWrapperDict):
    """Runs DFAD's alternating student / generator schedule.

    Holds one :class:`PlayerOptimWrapper` per player under MMRazor's keys,
    ``architecture`` (the student) and ``generator``, each with its own
    optimizer, ``clip_grad``, AMP (``type='AmpOptimWrapper'``),
    ``accumulative_counts``, divergence guard and parameter schedulers
    (``param_scheduler=dict(architecture=[...], generator=[...])``).

    :meth:`alternate` is one runner iteration. The algorithm offers
    MMRazor's ``train_student(data, optimizer)`` (its ``student_iter``
    updates) and ``train_generator(data, optimizer)`` (one update), and
    ``advance_generator(data)``, which stands in for a generator update
    skipped while its learning rates are all 0. A skipped update logs
    nothing (``DropStaleLogsHook`` removes its last losses from the log).

    Gradient accumulation counts each side's own updates (with
    ``student_iter=3`` and ``accumulative_counts=2`` a student window may
    end in the next iteration); :meth:`initialize_count_status`, called by
    the runner when training starts or resumes, places both counts, so a
    resumed run keeps the windows and the run's last window is applied.

    Args:
        skip_generator_at_zero_lr (bool): Skip generator updates while its
            learning rates are all 0. Defaults to True. The only state that
            differs from running them: the generator optimizer's moments.
        divergence_guard (dict | None): Arguments of :class:`DivergenceGuard`
            (``loss_factor``, ``weight_factor``, ``window``, ``warmup``,
            ``action``...) for both players; None checks NaN/Inf only.
            Defaults to ``dict()`` (on, with its defaults).
        **optim_wrappers (OptimWrapper): ``architecture`` and ``generator``,
            made the :class:`PlayerOptimWrapper` of their player with the
            settings above (:func:`as_player`).
    """

    STUDENT_KEY = 'architecture'
    GENERATOR_KEY = 'generator'

    def __init__(self,
                 skip_generator_at_zero_lr: bool = True,
                 divergence_guard: Optional[Dict] = dict(),
                 **optim_wrappers: OptimWrapper) -> None:
        expected = {self.STUDENT_KEY, self.GENERATOR_KEY}
        if set(optim_wrappers) != expected:
            raise ValueError(
                'AlternatingOptimWrapper needs exactly the optimizer wrappers '
                f'{sorted(expected)} (student and generator), got '
                f'{sorted(optim_wrappers)}. Configure optim_wrapper='
                "dict(constructor='AlternatingOptimWrapperConstructor', "
                'architecture=dict(optimizer=...), '
                'generator=dict(optimizer=...)).')
        super().__init__(
            architecture=as_player(optim_wrappers[self.STUDENT_KEY], 'student',
                                   divergence_guard, False),
            generator=as_player(optim_wrappers[self.GENERATOR_KEY],
                                'generator', divergence_guard,
                                skip_generator_at_zero_lr))

    @property
    def student(self) -> PlayerOptimWrapper:
        """The student's optimizer wrapper."""
        return self.optim_wrappers[self.STUDENT_KEY]

    @property
    def generator(self) -> PlayerOptimWrapper:
        """The generator's optimizer wrapper."""
        return self.optim_wrappers[self.GENERATOR_KEY]

    def alternate(self, algorithm: nn.Module,
                  data: Dict) -> Dict[str, torch.Tensor]:
        """One DFAD iteration (Fang et al., arXiv 1912.11006, Algorithm 1):
        ``student_iter`` student updates, then one generator update; the
        other way round with ``student_train_first``.

        Args:
            algorithm (nn.Module): The algorithm: ``student_train_first``,
                ``train_student``, ``train_generator`` and
                ``advance_generator``.
            data (dict): The training batch.

        Returns:
            dict[str, torch.Tensor]: Detached values to log: ``distill.*``
            (averaged over the student updates) and ``generator.*`` (none
            when the generator update was skipped).
        """

        def student_updates() -> Dict[str, torch.Tensor]:
            _, log_vars = algorithm.train_student(data, self.student)
            self.student.check_weights()
            return log_vars

        def generator_update() -> Dict[str, torch.Tensor]:
            if self.generator.skips_update():  # learning rate 0
                algorithm.advance_generator(data)
                self.generator.count_skipped_update()
                return {}
            _, log_vars = algorithm.train_generator(data, self.generator)
            self.generator.check_weights()
            return log_vars

        sides = [generator_update, student_updates]
        if algorithm.student_train_first:
            sides.reverse()
        log_vars: Dict[str, torch.Tensor] = {}
        for side in sides:
            log_vars.update(side())
        return log_vars

    def initialize_count_status(self, model: nn.Module, cur_iter: int,
                                max_iters: int) -> None:
        """Place both wrappers' gradient-accumulation counts at an
        iteration (the runner calls this when training starts or resumes).

        Counts are in updates: ``student_iter`` per iteration for the
        student, one for the generator.

        Args:
            model (nn.Module): The algorithm, possibly in a model wrapper.
            cur_iter (int): Iterations already run.
            max_iters (int): Iterations of the whole run.
        """
        algorithm = model.module if is_model_wrapper(model) else model
        updates = algorithm.student_iter
        self.student.initialize_count_status(algorithm.student,
                                             cur_iter * updates,
                                             max_iters * updates)
        self.generator.initialize_count_status(algorithm.generator, cur_iter,
                                               max_iters)
