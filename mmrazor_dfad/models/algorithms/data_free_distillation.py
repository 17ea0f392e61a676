# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from contextlib import ExitStack, contextmanager, nullcontext
from typing import Dict, Iterator, List, Mapping, Tuple, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapperDict
from mmrazor.models.algorithms.base import BaseAlgorithm
from torch.nn.parallel import DistributedDataParallel

from mmrazor_dfad.models.generators.latent import generator_device
from mmrazor_dfad.models.tasks import build_task
from mmrazor_dfad.registry import MODELS
from .building import (build_pool, build_teacher, check_arguments,
                       check_loss_names, check_players_fit, prepare_players,
                       warn_on_collaborating_generator)
from .teacher_free_state import TeacherFreeStateMixin
from .validation import DataFreeValidationMixin

TrainBatch = Union[Dict[str, List], Dict[str, torch.Tensor]]
LogVars = Dict[str, torch.Tensor]
# A loss to minimise and the values to log.
LossAndLogs = Tuple[torch.Tensor, LogVars]


@MODELS.register_module()
class DataFreeDistillation(TeacherFreeStateMixin, DataFreeValidationMixin,
                           BaseAlgorithm):
    """Data-Free Adversarial Distillation (Fang et al., arXiv 1912.11006).

    A frozen teacher, a student and a generator play a minimax game. The
    generator maps noise to images on which the teacher and student disagree
    most (it maximises the L1 distance of their logits); the student learns
    to agree with the teacher on them. No real training image is used.

    One iteration: :meth:`train_step` hands the batch to the runner's
    ``AlternatingOptimWrapper``, whose ``alternate`` calls
    :meth:`train_student` (``student_iter`` updates) and
    :meth:`train_generator` (one update) in the configured order, or
    :meth:`advance_generator` for a generator update skipped at learning
    rate 0. The config schema, positional arguments and these methods are
    MMRazor 1.0.0's (``docs/usage.md`` lists what differs). What is
    specific to the task (which logits, how predictions are packed) is in
    ``task``; building, checkpoint rules and validation live in modules of
    their own (``docs/architecture.md``).

    Args:
        distiller (dict): Distiller of the student updates, e.g. MMRazor's
            ``ConfigurableDistiller`` with an ``L1Loss`` of student and
            teacher logits, positive weight.
        generator_distiller (dict): Distiller of the generator update: the
            same discrepancy, negative weight (the generator maximises it).
        teachers (dict[str, dict]): ``{name: dict(build_cfg=...,
            ckpt_path=...)}``: built, loaded from ``ckpt_path`` (file or
            URL), frozen and kept in eval mode.
        generator (dict | nn.Module): E.g. ``DAFLGenerator``.
        student_iter (int): Student updates per iteration. Defaults to 1.
        student_train_first (bool): Update the student before the generator
            in each iteration. Defaults to False.
        architecture (dict | BaseModel): The student. Keyword only, as in
            MMRazor.
        channels_last (bool): Run the networks in the ``channels_last``
            memory format (speed; same math). Defaults to False.
        compile_cfg (dict | bool, optional): ``nn.Module.compile`` arguments
            for the networks, or True for its defaults. Defaults to None.
        pool (dict, optional): A ``SyntheticImagePool`` of generated images
            that student updates replay (``image_shape`` defaults to the
            generator's output). Defaults to None (plain DFAD).
        student_batch_size (int, optional): Images per student update.
            Defaults to None (the training batch size, which stays the
            number of images of each generator update).
        reproduce_mmrazor_side_effects (bool): Reproduce what MMRazor
            1.0.0's training step does beyond its algorithm (the generator's
            gradient on the student's weights; DAFL's extra student
            forward), for comparisons. Defaults to False.
        generator_augmentation (dict, optional): A differentiable
            augmentation of the generator update's images, e.g.
            ``dict(type='RandomShiftFlip', max_shift=2)``. Defaults to None.
        task (dict, optional): The task's parts. Defaults to
            ``dict(type='ClassificationTask')``.
        data_preprocessor (dict, optional): Pre-processes the real validation
            images; defaults to the student's.
        init_cfg (dict, optional): Initialisation config.

    ``docs/usage.md`` tells more of each key.
    """

    def __init__(self,
                 distiller: Dict,
                 generator_distiller: Dict,
                 teachers: Dict[str, Dict],
                 generator: Union[Dict, nn.Module],
                 student_iter: int = 1,
                 student_train_first: bool = False,
                 *,
                 architecture: Union[Dict, nn.Module],
                 channels_last: bool = False,
                 compile_cfg: Union[Dict, bool, None] = None,
                 pool: Union[Dict, None] = None,
                 student_batch_size: Union[int, None] = None,
                 reproduce_mmrazor_side_effects: bool = False,
                 generator_augmentation: Union[Dict, None] = None,
                 task: Union[Dict, None] = None,
                 **kwargs) -> None:
        check_arguments(student_iter, student_batch_size, teachers, generator)
        # Built from our registry (MMRazor's BaseAlgorithm would use its own
        # and miss modules of this scope).
        if isinstance(architecture, Mapping):
            architecture = MODELS.build(architecture)
        super().__init__(architecture, **kwargs)
        self.student_iter = student_iter
        self.student_train_first = student_train_first
        self.student_batch_size = student_batch_size
        self.reproduce_mmrazor_side_effects = reproduce_mmrazor_side_effects
        self.task = build_task(task)

        self.teachers = nn.ModuleDict(
            {name: build_teacher(name, cfg)
             for name, cfg in teachers.items()})
        self._keep_own_teacher_weights()
        self.generator = generator if isinstance(
            generator, nn.Module) else MODELS.build(generator)
        # Before the recorders look for their layers: a network of the
        # wrong task or shape gets the message that says so.
        check_players_fit(self.generator, self.student, self.teachers,
                          self.task)

        self.distiller = MODELS.build(distiller)
        self.generator_distiller = MODELS.build(generator_distiller)
        for key, built in (('distiller', self.distiller),
                           ('generator_distiller', self.generator_distiller)):
            check_loss_names(key, built)
            built.prepare_from_student(self.student)
            built.prepare_from_teacher(self.teachers)
        self.pool = build_pool(pool, self.generator)
        self.generator_augmentation = MODELS.build(
            generator_augmentation
        ) if generator_augmentation is not None else None
        warn_on_collaborating_generator(self.generator_distiller)
        self.channels_last = channels_last
        prepare_players(
            [self.student, self.generator, *self.teachers.values()],
            channels_last, compile_cfg)

    @property
    def student(self) -> nn.Module:
        """The student (alias of ``architecture``)."""
        return self.architecture

    def train(self, mode: bool = True) -> 'DataFreeDistillation':
        """Set train/eval mode; the teachers always stay in eval mode."""
        super().train(mode)
        self.teachers.eval()
        return self

    def train_step(self, data: TrainBatch, optim_wrapper) -> LogVars:
        """One DFAD iteration, scheduled by the runner's
        ``AlternatingOptimWrapper`` (``alternate``). MMRazor's plain
        ``OptimWrapperDict`` gets MMRazor's ``train_step``: the same two
        methods in the same order, without the guard or the lr-0 skip.

        Args:
            data (dict): The training batch; only its length is used.
            optim_wrapper (AlternatingOptimWrapper | OptimWrapperDict): The
                student's (``architecture``) and generator's wrappers.

        Returns:
            dict[str, torch.Tensor]: ``distill.*`` and ``generator.*``.
        """
        if hasattr(optim_wrapper, 'alternate'):
            return optim_wrapper.alternate(self, data)
        if not isinstance(optim_wrapper, (Mapping, OptimWrapperDict)):
            raise TypeError(
                'DFAD needs separate optimizers for the student and the '
                f'generator, got a single {type(optim_wrapper).__name__}. Use '
                "optim_wrapper=dict(constructor='AlternatingOptimWrapper"
                "Constructor', architecture=dict(...), generator=dict(...)).")
        sides = [(self.train_generator, optim_wrapper['generator']),
                 (self.train_student, optim_wrapper['architecture'])]
        if self.student_train_first:
            sides.reverse()
        log_vars = {}
        for train, optimizer in sides:
            log_vars.update(train(data, optimizer)[1])
        return log_vars

    def train_student(self, data: TrainBatch, optimizer) -> LossAndLogs:
        """The ``student_iter`` student updates of one iteration, each
        minimising the discrepancy on detached fake images: fresh ones and,
        with a pool, replayed ones.

        Args:
            data (dict): The training batch; its length is the number of
                images, unless ``student_batch_size`` is set.
            optimizer (OptimWrapper): The student's optimizer wrapper.

        Returns:
            tuple: The loss and the values to log (``distill.*``), detached
            and averaged over the updates.
        """
        batch_size = self.student_batch_size or self.infer_batch_size(data)
        summed: LogVars = {}
        for _ in range(self.student_iter):
            with optimizer.optim_context(self.student):
                losses = self._discrepancy(
                    self.distiller,
                    self._memory_format(self._student_images(batch_size)),
                    teacher_needs_grad=False)
                loss, log_vars = self.parse_losses(losses)
            optimizer.update_params(loss)
            for name, value in log_vars.items():
                value = value.detach()
                summed[name] = summed[name] + value if name in summed \
                    else value
        return prefixed('distill', summed, self.student_iter)

    def train_generator(self, data: TrainBatch, optimizer) -> LossAndLogs:
        """One generator update, maximising the discrepancy on new images
        (through the frozen teachers and the student, whose weights are
        frozen meanwhile unless ``reproduce_mmrazor_side_effects``).

        Args:
            data (dict): The training batch; its length is the number of
                images.
            optimizer (OptimWrapper): The generator's optimizer wrapper.

        Returns:
            tuple: The loss and the values to log (``generator.*``),
            detached.
        """
        freezing = nullcontext() if self.reproduce_mmrazor_side_effects \
            else frozen_weights(self.student)
        with freezing, optimizer.optim_context(self.generator):
            fake_images = self._generate(self.infer_batch_size(data))
            losses = self._discrepancy(
                self.generator_distiller,
                self._augmented(fake_images),
                teacher_needs_grad=True)
            self._remember_generator_images(fake_images)
            loss, log_vars = self.parse_losses(losses)
            optimizer.update_params(loss)
        return prefixed('generator', log_vars)

    def advance_generator(self, data: TrainBatch) -> None:
        """Change what a generator update changes besides the generator's
        weights, without the update: it stands in for an update skipped at
        learning rate 0, so the whole state ends as if it had run.

        Generator and student run forward without gradients (the noise
        stream, the augmentation's draws and both BatchNorm running
        statistics move; the pool stores the images if it keeps the
        generator's); the teachers' passes (they change nothing), the
        backward pass and the step are saved.

        Args:
            data (dict): The training batch; its length is the number of
                images.
        """
        with torch.no_grad():
            fake_images = self._generate(self.infer_batch_size(data))
            self.student(self._augmented(fake_images), mode='tensor')
        self._remember_generator_images(fake_images)

    @staticmethod
    def infer_batch_size(data: TrainBatch) -> int:
        """The number of samples of a collated batch (of
        :class:`DataFreeDataset`, ``{'sample_idx': [...]}``, or any dataset,
        ``{'inputs': [...], ...}``), without touching them: the images of a
        generator update."""
        if isinstance(data, Mapping):
            for key in ('inputs', 'sample_idx', *data.keys()):
                value = data.get(key)
                if isinstance(value,
                              (list, tuple, torch.Tensor)) and len(value) > 0:
                    return len(value)
        raise TypeError(
            'DataFreeDistillation: cannot tell the batch size from the '
            f'training batch {type(data).__name__}; use train_dataloader='
            "dict(batch_size=N, dataset=dict(type='DataFreeDataset')).")

    def _student_images(self, batch_size: int) -> torch.Tensor:
        """The detached images of one student update, fresh ones first.

        The pool decides how many are replayed (``pool.split``). Replayed
        images are drawn before this update's fresh ones are stored, so
        replay shows the student images of earlier updates; fresh ones are
        stored if the pool keeps student images.
        """
        replayed = self.pool.split(batch_size) if self.pool is not None \
            else 0
        parts = []
        if replayed < batch_size:
            with torch.no_grad():
                parts.append(self._generate(batch_size - replayed))
        if replayed:
            parts.append(
                self.pool.sample(replayed).to(
                    generator_device(self.generator)))
        if replayed < batch_size and self.pool is not None and \
                self.pool.stores_student_images:
            self.pool.add(parts[0])
        return torch.cat(parts) if len(parts) > 1 else parts[0]

    def _remember_generator_images(self, fake_images: torch.Tensor) -> None:
        """Store the generator update's images if the pool keeps them."""
        if self.pool is not None and self.pool.stores_generator_images:
            self.pool.add(fake_images)

    def _augmented(self, fake_images: torch.Tensor) -> torch.Tensor:
        """What teacher and student see in a generator update: the images
        through ``generator_augmentation``, if any."""
        if self.generator_augmentation is None:
            return fake_images
        return self._memory_format(self.generator_augmentation(fake_images))

    def _memory_format(self, images: torch.Tensor) -> torch.Tensor:
        if self.channels_last:
            return images.contiguous(memory_format=torch.channels_last)
        return images

    def _generate(self, batch_size: int) -> torch.Tensor:
        """``batch_size`` fake images, shape ``(N, C, H, W)``."""
        return self._memory_format(self.generator(batch_size=batch_size))

    def _discrepancy(self, distiller: nn.Module, fake_images: torch.Tensor,
                     teacher_needs_grad: bool) -> LogVars:
        """The distiller's losses of student and teachers on
        ``fake_images``; ``teacher_needs_grad`` builds the teachers' graph
        (to reach the generator; their weights stay frozen)."""
        with distiller.student_recorders:
            self.student(fake_images, mode='tensor')
        with distiller.teacher_recorders, torch.set_grad_enabled(
                teacher_needs_grad and torch.is_grad_enabled()):
            for teacher in self.teachers.values():
                teacher(fake_images, mode='tensor')
        return distiller.compute_distill_losses()

    def loss(self, inputs: torch.Tensor, data_samples=None) -> LogVars:
        """Not used: data-free distillation has no supervised loss;
        training goes through ``train_step``."""
        raise NotImplementedError(
            f'{type(self).__name__} has no supervised loss; train it through '
            'train_step (the runner does), or call the student directly.')


def prefixed(prefix: str, log_vars: LogVars, updates: int = 1) -> LossAndLogs:
    """``(loss, log_vars)`` of ``log_vars`` detached, divided by
    ``updates`` and named ``'<prefix>.<name>'``."""
    log_vars = {
        f'{prefix}.{name}': value.detach() / updates
        for name, value in log_vars.items()
    }
    return log_vars[f'{prefix}.loss'], log_vars


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
