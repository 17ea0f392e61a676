# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from contextlib import ExitStack, contextmanager, nullcontext
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict
from torch.nn.parallel import DistributedDataParallel

from mmrazor_dfad.registry import OPTIM_WRAPPERS
from .divergence_guard import DivergenceGuard

# A step function returns the loss to minimise and the values to log.
StepFunction = Callable[[], Tuple[torch.Tensor, Dict[str, torch.Tensor]]]


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
    generator update back-propagates through the student (that is how the
    generator learns what the student gets wrong); the student's weights
    are frozen while it runs, so their gradients are never computed and only
    the generator moves.

    While every learning rate of the generator is 0 (e.g. after a schedule
    that freezes it), its update is skipped: a step at learning rate 0
    cannot change its weights, yet costs a generator, teacher and student
    forward and backward pass. The caller's ``skip_generator_step`` keeps
    the generator's noise stream where the update would have left it, so
    the student sees the same images either way.

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
            (which matter only if its learning rate rises again) and the
            running statistics of the generator's BatchNorm layers (used
            in eval mode, i.e. by :class:`GeneratedSamplesHook`, not in
            training).
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

    def alternate(self,
                  student_step: StepFunction,
                  generator_step: StepFunction,
                  student: nn.Module,
                  generator: nn.Module,
                  student_iter: int,
                  student_train_first: bool,
                  skip_generator_step: Optional[Callable[[], None]] = None,
                  freeze_student: bool = True) -> Dict[str, torch.Tensor]:
        """Run one DFAD iteration.

        Args:
            student_step (callable): Computes the student's loss on freshly
                generated (detached) images; returns ``(loss, log_vars)``.
            generator_step (callable): Computes the generator's loss (the
                negated discrepancy); returns ``(loss, log_vars)``.
            student (nn.Module): The student, possibly DDP-wrapped; given to
                ``optim_context`` (autocast, gradient-accumulation sync).
            generator (nn.Module): The generator, possibly DDP-wrapped.
            student_iter (int): Student updates per iteration.
            student_train_first (bool): Update the student before the
                generator instead of after.
            skip_generator_step (callable, optional): Called instead of
                ``generator_step`` when the generator update is skipped
                (its learning rate is 0); advances what the step would have
                advanced, e.g. the generator's noise stream. Without it,
                generator updates are never skipped.
            freeze_student (bool): See :meth:`train_generator`. Defaults to
                True.

        Returns:
            dict[str, torch.Tensor]: Detached values to log: the student's
            averaged over its ``student_iter`` updates, prefixed
            ``distill.``, and the generator's, prefixed ``generator.``.
        """
        if not isinstance(student_iter, int) or student_iter < 1:
            raise ValueError(
                f'student_iter must be an integer >= 1, got {student_iter!r}.')
        log_vars: Dict[str, torch.Tensor] = {}
        if student_train_first:
            log_vars.update(
                self.train_student(student_step, student, student_iter))
            log_vars.update(
                self.train_generator(generator_step, generator, student,
                                     skip_generator_step, freeze_student))
        else:
            log_vars.update(
                self.train_generator(generator_step, generator, student,
                                     skip_generator_step, freeze_student))
            log_vars.update(
                self.train_student(student_step, student, student_iter))
        return log_vars

    def train_jointly(self, joint_step: Callable[[], Tuple[Tuple, Tuple]],
                      student: nn.Module,
                      generator: nn.Module) -> Dict[str, torch.Tensor]:
        """One DAFL iteration: one generator and one student update from
        the losses of a single generated batch.

        The generator's loss must not reach the student's weights (DAFL's
        generator losses read the teacher only) and the student's loss must
        not reach the generator (the student sees the images detached), so
        the two updates are independent and their order does not matter.

        Args:
            joint_step (callable): Returns ``((generator_loss,
                generator_log_vars), (student_loss, student_log_vars))``.
            student (nn.Module): The student, possibly DDP-wrapped.
            generator (nn.Module): The generator, possibly DDP-wrapped.

        Returns:
            dict[str, torch.Tensor]: Detached values to log, prefixed
            ``generator.`` and ``distill.``.
        """
        with self.generator.optim_context(generator), \
                self.student.optim_context(student):
            (generator_loss, generator_log_vars), \
                (student_loss, student_log_vars) = joint_step()
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
        log_vars = {
            f'distill.{name}': value.detach()
            for name, value in student_log_vars.items()
        }
        log_vars.update({
            f'generator.{name}': value.detach()
            for name, value in generator_log_vars.items()
        })
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
        in updates: ``student_iter`` per iteration for the student, one for
        the generator.

        Args:
            model (nn.Module): The DFAD algorithm (``student_iter``,
                ``student`` and ``generator``), possibly in a model wrapper.
            cur_iter (int): Iterations already run.
            max_iters (int): Iterations of the whole run.
        """
        algorithm = model.module if is_model_wrapper(model) else model
        student_iter = getattr(algorithm, 'student_iter', 1)
        self.student.initialize_count_status(
            getattr(algorithm, 'student', algorithm), cur_iter * student_iter,
            max_iters * student_iter)
        self.generator.initialize_count_status(
            getattr(algorithm, 'generator', algorithm), cur_iter, max_iters)

    def train_student(self, student_step: StepFunction, student: nn.Module,
                      student_iter: int) -> Dict[str, torch.Tensor]:
        """Run ``student_iter`` student updates.

        Args:
            student_step (callable): Returns the student's
                ``(loss, log_vars)`` on freshly generated images.
            student (nn.Module): The student, possibly DDP-wrapped.
            student_iter (int): Number of updates.

        Returns:
            dict[str, torch.Tensor]: The logged values averaged over the
            updates, detached, prefixed ``distill.``.
        """
        summed: Dict[str, torch.Tensor] = {}
        for _ in range(student_iter):
            with self.student.optim_context(student):
                loss, step_log_vars = student_step()
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
            f'distill.{name}': value / student_iter
            for name, value in summed.items()
        }

    def train_generator(
            self,
            generator_step: StepFunction,
            generator: nn.Module,
            student: nn.Module,
            skip_generator_step: Optional[Callable[[], None]] = None,
            freeze_student: bool = True) -> Dict[str, torch.Tensor]:
        """Run one generator update (or skip it at learning rate 0).

        Args:
            generator_step (callable): Returns the generator's
                ``(loss, log_vars)``.
            generator (nn.Module): The generator, possibly DDP-wrapped.
            student (nn.Module): The student, whose weights get no gradient
                from this update.
            skip_generator_step (callable, optional): Stand-in for a skipped
                update; see :meth:`alternate`. Without it the update always
                runs.
            freeze_student (bool): Keep the generator's loss off the
                student's weights. False reproduces MMRazor 1.0.0, whose
                generator update leaves the gradient of its loss on the
                student's weights, where the student's next update adds it
                to its own. Defaults to True.

        Returns:
            dict[str, torch.Tensor]: The logged values, detached, prefixed
            ``generator.``; empty when the update was skipped.
        """
        skip = (
            self.skip_generator_at_zero_lr and skip_generator_step is not None
            and not self.generator_can_learn())
        if skip:
            skip_generator_step()
            count_skipped_update(self.generator)
            self._forget_generator_logs()
            return {}
        # The generator's loss back-propagates through the student to its
        # input only: the student's weight gradients would be thrown away
        # (and, under DDP, all-reduced first), so they are never computed.
        freezing = frozen_weights(student) if freeze_student else nullcontext()
        with freezing, self.generator.optim_context(generator):
            loss, step_log_vars = generator_step()
            if self.divergence_guard.check_loss(loss, 'generator'):
                self.generator.update_params(loss)
            else:
                count_skipped_update(self.generator)
        self.divergence_guard.check_weights(generator.parameters(),
                                            'generator')
        return {
            f'generator.{name}': value.detach()
            for name, value in step_log_vars.items()
        }

    def _forget_generator_logs(self) -> None:
        """Drop the generator's last logged losses once its updates stop.

        Skipped updates compute no loss; without this the log would keep
        showing the last values as if current. Stateless (it looks at what
        the message hub holds), so it also holds when a new wrapper is made
        per iteration from MMRazor's ``OptimWrapperDict``.
        """
        message_hub = MessageHub.get_current_instance()
        # The runner logs learning rate and momentum under the same prefix;
        # those stay current.
        schedule_keys = {
            f'train/{key}'
            for key in (*self.get_lr(), *self.get_momentum())
        }
        stale = [
            key for key in message_hub.log_scalars
            if key.startswith(f'train/{self.GENERATOR_KEY}.')
            and key not in schedule_keys
        ]
        if not stale:
            return
        for key in stale:
            message_hub.log_scalars.pop(key)
        iteration = (message_hub.get_info('iter') or 0) + 1
        print_log(
            f'Iteration {iteration}: the generator learning rate is 0, so its '
            'updates (which could not change it) are skipped and its losses '
            'are not logged while the rate stays 0 '
            '(optim_wrapper.skip_generator_at_zero_lr=False runs them).',
            logger='current')


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
    # OptimWrapper.backward advances this private count; there is no public
    # way to advance it without a backward pass.
    optim_wrapper._inner_count += 1
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
