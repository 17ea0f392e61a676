# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from contextlib import ExitStack, contextmanager, nullcontext
from typing import Dict, Iterator, Mapping, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper, OptimWrapperDict
from torch.nn.parallel import DistributedDataParallel

from mmrazor_dfad.registry import OPTIM_WRAPPERS
from .data_free_iteration import DataFreeIteration, JointDataFreeIteration
from .divergence_guard import DivergenceGuard


@OPTIM_WRAPPERS.register_module()
class AlternatingOptimWrapper(OptimWrapperDict):
    """Runs DFAD's alternating student / generator schedule.

    Holds two ordinary MMEngine optimizer wrappers under MMRazor's keys:
    ``architecture`` (the student) and ``generator``. Each keeps its own
    optimizer, gradient clipping (``clip_grad``), mixed precision
    (``type='AmpOptimWrapper'``, which MMEngine runs on GPU, NPU, MLU and
    MUSA only) and gradient accumulation (``accumulative_counts``), and the
    runner gives each its own parameter schedulers
    (``param_scheduler=dict(architecture=[...], generator=[...])``).

    Gradient accumulation counts each side's own updates: with
    ``student_iter=3`` and the student's ``accumulative_counts=2``, the
    student's optimizer steps after every second student update, which may
    fall in the next iteration. :meth:`initialize_count_status` (called by
    the runner when training starts or resumes) places both counts at the
    current iteration, so resumed runs keep the accumulation windows and
    the last window of the run is applied. An update that is skipped (a
    generator update at learning rate 0, or a loss the divergence guard
    rejects with ``action='skip'``) still counts; when it would have closed
    a window, that window's gradients are dropped instead of being carried
    into the next one. Wrappers adopted from MMRazor's ``OptimWrapperDict``
    get no :meth:`initialize_count_status` call from the runner (MMEngine's
    ``OptimWrapperDict`` ignores it): their counts start at 0 on resume and
    a last incomplete window is not applied.

    One call of :meth:`alternate` is one runner iteration: ``student_iter``
    student updates and one generator update, in the configured order. The
    algorithm hands itself over as a :class:`DataFreeIteration` (its
    players, ``student_iter``, order and loss functions; DAFL's
    :meth:`train_jointly` takes a :class:`JointDataFreeIteration`). The
    generator update back-propagates through the student (that is how the
    generator learns what the student gets wrong); the student's weights
    are frozen while it runs, so their gradients are never computed and only
    the generator moves.

    While every learning rate of the generator is 0 (e.g. after a schedule
    that freezes it), its update is skipped: a step at learning rate 0
    cannot change its weights, yet costs a generator, teacher and student
    forward and backward pass. The iteration's ``skip_generator`` changes
    what the update would have changed besides the weights (noise stream,
    BatchNorm statistics, pool), so the model's state is the same either
    way. A skipped update logs nothing (``DropStaleLogsHook`` then removes
    its last losses from the log).

    Every loss is checked before its update and every player's weights
    after its updates (:class:`DivergenceGuard`): NaN/Inf always stops the
    run; by default an explosion far beyond the run's history stops it too,
    inside the iteration, so the checkpoint hook never writes the exploded
    state.

    Args:
        divergence_guard (dict | None): Arguments of
            :class:`DivergenceGuard` (``loss_factor``, ``weight_factor``,
            ``window``, ``warmup``, ``action='stop'|'skip'``...). None keeps
            only the NaN/Inf check. Defaults to ``dict()`` (on, with its
            defaults). Its history lives in this object: a wrapper made anew
            every iteration from MMRazor's ``OptimWrapperDict`` checks
            NaN/Inf only.
        skip_generator_at_zero_lr (bool): Skip generator updates while its
            learning rates are all 0. Defaults to True. The only state that
            differs from running them: the generator optimizer's moments
            (which matter only if its learning rate rises again).
        **optim_wrappers (OptimWrapper): ``architecture`` (the student's)
            and ``generator``.
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
        super().__init__(**optim_wrappers)
        self.skip_generator_at_zero_lr = skip_generator_at_zero_lr
        if divergence_guard is None or divergence_guard is False:
            # Only non-finite values are judged.
            divergence_guard = dict(
                loss_factor=math.inf, weight_factor=math.inf)
        if not isinstance(divergence_guard, Mapping):
            raise TypeError('optim_wrapper.divergence_guard must be a dict of '
                            'DivergenceGuard arguments or None, got '
                            f'{divergence_guard!r}.')
        self.divergence_guard = DivergenceGuard(**divergence_guard)
        # Set by initialize_count_status, applied by the next iteration.
        self._counts_from: Optional[Tuple[int, int]] = None

    @classmethod
    def from_optim_wrappers(
        cls, optim_wrappers: Union['AlternatingOptimWrapper', OptimWrapperDict,
                                   Mapping[str, OptimWrapper]]
    ) -> 'AlternatingOptimWrapper':
        """Accept what MMRazor's ``SeparateOptimWrapperConstructor`` builds.

        Args:
            optim_wrappers: An :class:`AlternatingOptimWrapper`, an
                ``OptimWrapperDict`` or a plain mapping with the keys
                ``architecture`` and ``generator``.

        Returns:
            AlternatingOptimWrapper: ``optim_wrappers`` itself when it
            already is one, else a new one sharing the same wrappers.
        """
        if isinstance(optim_wrappers, cls):
            return optim_wrappers
        if isinstance(optim_wrappers, (OptimWrapperDict, Mapping)):
            return cls(**dict(optim_wrappers.items()))
        raise TypeError(
            'DFAD needs separate optimizers for the student and the '
            f'generator, got a single {type(optim_wrappers).__name__}. Use '
            "optim_wrapper=dict(constructor='AlternatingOptimWrapper"
            "Constructor', architecture=dict(...), generator=dict(...)).")

    @property
    def student(self) -> OptimWrapper:
        """The student's optimizer wrapper."""
        return self.optim_wrappers[self.STUDENT_KEY]

    @property
    def generator(self) -> OptimWrapper:
        """The generator's optimizer wrapper."""
        return self.optim_wrappers[self.GENERATOR_KEY]

    def alternate(self, iteration: DataFreeIteration,
                  batch_size: int) -> Dict[str, torch.Tensor]:
        """Run one DFAD iteration.

        Args:
            iteration (DataFreeIteration): The algorithm: its players,
                ``student_iter``, order and losses.
            batch_size (int): Images of each generator update (and, unless
                the algorithm says otherwise, of each student update).

        Returns:
            dict[str, torch.Tensor]: Detached values to log: the student's
            averaged over its ``student_iter`` updates, prefixed
            ``distill.``, and the generator's, prefixed ``generator.``.
        """
        student_iter = iteration.student_iter
        if not isinstance(student_iter, int) or student_iter < 1:
            raise ValueError(
                f'student_iter must be an integer >= 1, got {student_iter!r}.')
        self._start_counts(iteration, student_iter)
        sides = [self.train_generator, self.train_student]
        if iteration.student_train_first:
            sides.reverse()
        log_vars: Dict[str, torch.Tensor] = {}
        for side in sides:
            log_vars.update(side(iteration, batch_size))
        return log_vars

    def train_jointly(self, iteration: JointDataFreeIteration,
                      batch_size: int) -> Dict[str, torch.Tensor]:
        """One DAFL iteration: one generator and one student update from
        the losses of a single generated batch.

        The generator's loss must not reach the student's weights (DAFL's
        generator losses read the teacher only) and the student's loss must
        not reach the generator (the student sees the images detached), so
        the two updates are independent and their order does not matter.

        Args:
            iteration (JointDataFreeIteration): The algorithm.
            batch_size (int): Images of the generated batch.

        Returns:
            dict[str, torch.Tensor]: Detached values to log, prefixed
            ``generator.`` and ``distill.``.
        """
        student, generator = iteration.student, iteration.generator
        self._start_counts(iteration, 1)
        with self.generator.optim_context(generator), \
                self.student.optim_context(student):
            (generator_loss, generator_log_vars), \
                (student_loss, student_log_vars) = \
                iteration.joint_losses(batch_size)
        generator_skipped = self.skip_generator_at_zero_lr and \
            not self.generator_can_learn()
        if not generator_skipped and self.divergence_guard.check_loss(
                generator_loss, 'generator'):
            self.generator.update_params(generator_loss)
        else:
            count_skipped_update(self.generator)
        if self.divergence_guard.check_loss(student_loss, 'student'):
            self.student.update_params(student_loss)
        else:
            count_skipped_update(self.student)
        self.divergence_guard.check_weights(generator.parameters(),
                                            'generator')
        self.divergence_guard.check_weights(student.parameters(), 'student')
        log_vars = _prefixed('distill', student_log_vars)
        log_vars.update(_prefixed('generator', generator_log_vars))
        return log_vars

    def generator_can_learn(self) -> bool:
        """Whether a generator update could change its weights: some
        parameter group has a learning rate other than 0."""
        return any(group['lr'] != 0
                   for group in self.generator.optimizer.param_groups)

    def initialize_count_status(self, model: nn.Module, cur_iter: int,
                                max_iters: int) -> None:
        """Place both wrappers' gradient-accumulation counts at an
        iteration.

        The runner calls this when training starts or resumes. Counts are
        in updates (``student_iter`` per iteration for the student, one for
        the generator), and ``student_iter`` is the algorithm's: the counts
        are placed when the first iteration hands it over.

        Args:
            model (nn.Module): The runner's model (not used: the players
                come with the iteration).
            cur_iter (int): Iterations already run.
            max_iters (int): Iterations of the whole run.
        """
        self._counts_from = (cur_iter, max_iters)

    def _start_counts(self, iteration, student_iter: int) -> None:
        """Apply a pending :meth:`initialize_count_status`."""
        if self._counts_from is None:
            return
        cur_iter, max_iters = self._counts_from
        self._counts_from = None
        self.student.initialize_count_status(iteration.student,
                                             cur_iter * student_iter,
                                             max_iters * student_iter)
        self.generator.initialize_count_status(iteration.generator, cur_iter,
                                               max_iters)

    def train_student(self, iteration: DataFreeIteration,
                      batch_size: int) -> Dict[str, torch.Tensor]:
        """Run ``iteration.student_iter`` student updates.

        Args:
            iteration (DataFreeIteration): The algorithm.
            batch_size (int): The iteration's batch size.

        Returns:
            dict[str, torch.Tensor]: The logged values averaged over the
            updates, detached, prefixed ``distill.``.
        """
        student = iteration.student
        summed: Dict[str, torch.Tensor] = {}
        for _ in range(iteration.student_iter):
            with self.student.optim_context(student):
                loss, step_log_vars = iteration.student_loss(batch_size)
            if self.divergence_guard.check_loss(loss, 'student'):
                self.student.update_params(loss)
            else:
                count_skipped_update(self.student)
            for name, value in step_log_vars.items():
                value = value.detach()
                summed[name] = summed[name] + value if name in summed \
                    else value
        self.divergence_guard.check_weights(student.parameters(), 'student')
        return {
            f'distill.{name}': value / iteration.student_iter
            for name, value in summed.items()
        }

    def train_generator(self,
                        iteration: DataFreeIteration,
                        batch_size: int,
                        allow_skip: bool = True) -> Dict[str, torch.Tensor]:
        """Run one generator update (or skip it at learning rate 0).

        Args:
            iteration (DataFreeIteration): The algorithm. Unless its
                ``freeze_student_in_generator_update`` is False, the
                generator's loss reaches the student's inputs only, never
                its weights.
            batch_size (int): Images of the update.
            allow_skip (bool): Skip the update at learning rate 0 (if the
                wrapper's ``skip_generator_at_zero_lr`` says so). Defaults
                to True.

        Returns:
            dict[str, torch.Tensor]: The logged values, detached, prefixed
            ``generator.``; empty when the update was skipped.
        """
        generator = iteration.generator
        if allow_skip and self.skip_generator_at_zero_lr and \
                not self.generator_can_learn():
            iteration.skip_generator(batch_size)
            count_skipped_update(self.generator)
            return {}
        # The student's weight gradients would be thrown away (and, under
        # DDP, all-reduced first), so they are never computed.
        freezing = frozen_weights(iteration.student) \
            if iteration.freeze_student_in_generator_update else nullcontext()
        with freezing, self.generator.optim_context(generator):
            loss, step_log_vars = iteration.generator_loss(batch_size)
            if self.divergence_guard.check_loss(loss, 'generator'):
                self.generator.update_params(loss)
            else:
                count_skipped_update(self.generator)
        self.divergence_guard.check_weights(generator.parameters(),
                                            'generator')
        return _prefixed('generator', step_log_vars)


def _prefixed(prefix: str,
              log_vars: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """``log_vars`` detached, with keys ``'<prefix>.<name>'``."""
    return {
        f'{prefix}.{name}': value.detach()
        for name, value in log_vars.items()
    }


def count_skipped_update(optim_wrapper: OptimWrapper) -> None:
    """Count an update that was not run, as ``update_params`` would have.

    Keeps the gradient-accumulation count in step with the iterations. When
    the skipped update would have closed an accumulation window, the
    gradients gathered in that window are dropped, not carried into the
    next window (which would then sum more than ``accumulative_counts``
    losses).

    Args:
        optim_wrapper (OptimWrapper): The wrapper whose update was skipped.
    """
    # MMEngine's public way to advance the count is a backward pass; one of
    # a constant reaches no parameter and costs nothing.
    optim_wrapper.backward(torch.zeros((), requires_grad=True))
    if optim_wrapper.should_update():
        optim_wrapper.zero_grad()


@contextmanager
def frozen_weights(module: nn.Module) -> Iterator[None]:
    """Stop gradients from reaching ``module``'s weights for a while.

    Gradients still flow through the module to its inputs. Under DDP the
    module's gradient synchronisation is suspended too (``no_sync``): with no
    weight gradient to reduce, DDP would otherwise wait for one.

    Args:
        module (nn.Module): A module, possibly wrapped in DDP.
    """
    trainable = [p for p in module.parameters() if p.requires_grad]
    with ExitStack() as stack:
        if isinstance(module, DistributedDataParallel):
            stack.enter_context(module.no_sync())
        for param in trainable:
            param.requires_grad_(False)
        try:
            yield
        finally:
            for param in trainable:
                param.requires_grad_(True)
