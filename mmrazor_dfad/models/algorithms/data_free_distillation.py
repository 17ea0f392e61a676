# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, List, Mapping, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmrazor.models.algorithms.base import BaseAlgorithm

from mmrazor_dfad.models.generators.latent import generator_device
from mmrazor_dfad.models.tasks import build_task
from mmrazor_dfad.registry import MODELS
from .building import (build_pool, build_teacher, check_loss_names,
                       check_players_fit, is_positive_int, prepare_players,
                       warn_on_collaborating_generator)
from .fake_batches import remember_generator_images, student_images
from .generated_bank import bank_images
from .mmrazor_interface import (LossAndLogs, MMRazorInterfaceMixin, TrainBatch,
                                alternating_schedule, infer_batch_size)
from .teacher_free_state import TeacherFreeStateMixin


def _unwrap(module: nn.Module) -> nn.Module:
    """The module inside a DDP wrapper (evaluation needs no gradient sync)."""
    return module.module if is_model_wrapper(module) else module


@MODELS.register_module()
class DataFreeDistillation(TeacherFreeStateMixin, MMRazorInterfaceMixin,
                           BaseAlgorithm):
    """Data-Free Adversarial Distillation (Fang et al., arXiv 1912.11006).

    A frozen teacher, a student and a generator play a minimax game. The
    generator maps noise to images on which the teacher and student disagree
    most (it maximises the L1 distance of their logits); the student learns
    to agree with the teacher on them. No real training image is used.

    The config schema is MMRazor 1.0.0's ``DataFreeDistillation`` schema, so
    MMRazor configs run unchanged with ``_scope_='mmrazor_dfad'``. Unlike
    MMRazor's implementation this one trains unwrapped (one process, CPU or
    GPU) as well as under DDP, never reads or moves the training batch (it
    only counts it), never computes a classification loss on dummy labels,
    never computes the student's weight gradients in the generator step (the
    student's weights are frozen while it runs), and draws noise on
    the model's device, different on each rank.

    The call interface is a superset of MMRazor's: its positional
    arguments in its order (``distiller, generator_distiller, teachers,
    generator, student_iter, student_train_first``), ``architecture``,
    ``data_preprocessor`` and ``init_cfg`` by keyword, and its
    :meth:`train_step`, :meth:`train_student` and :meth:`train_generator`;
    the arguments only this class has are keyword arguments.

    One iteration reads in one place: :meth:`train_step` hands this object
    to :class:`AlternatingOptimWrapper` as a ``DataFreeIteration``; the
    wrapper runs the schedule and calls back :meth:`student_loss`,
    :meth:`generator_loss` and :meth:`skip_generator`. What is specific to
    the task (which logits, how predictions are packed) is in ``task``;
    building and checking the parts, checkpoint rules, the generated bank
    and MMRazor's extra methods live in modules of their own
    (``docs/architecture.md``).

    Args:
        distiller (dict): Distiller of the student updates, e.g. MMRazor's
            ``ConfigurableDistiller`` recording ``head.fc`` of student and
            teacher with an ``L1Loss`` of positive weight.
        generator_distiller (dict): Distiller of the generator update: the
            same discrepancy with a negative loss weight (the generator
            maximises it).
        teachers (dict[str, dict]): ``{name: dict(build_cfg=...,
            ckpt_path=...)}``. Each teacher is built from ``build_cfg``,
            loaded from ``ckpt_path`` (local file or URL), frozen and kept
            in eval mode.
        generator (dict | nn.Module): The generator or its config, e.g.
            ``DAFLGenerator``.
        student_iter (int): Student updates per iteration. Defaults to 1.
        student_train_first (bool): Update the student before the generator
            in each iteration. Defaults to False.
        architecture (dict | BaseModel): The student, e.g.
            ``dict(cfg_path='mmcls::resnet/resnet18_8xb16_cifar10.py')``.
            Keyword only, as in MMRazor (there it goes through ``**kwargs``
            to ``BaseAlgorithm``).
        channels_last (bool): Run student, teachers and generator in the
            ``channels_last`` memory format (speed switch; same math up to
            floating-point summation order). Defaults to False.
        pool (dict, optional): A memory of generated images that student
            updates replay, e.g. ``dict(type='SyntheticImagePool',
            capacity=25600, replay_fraction=0.5)``; ``image_shape`` defaults
            to the generator's output. Every fresh batch of the student
            updates is added to it. Defaults to None (plain DFAD).
        student_batch_size (int, optional): Images per student update. The
            training batch size (``train_dataloader.batch_size``) remains
            the number of images of each generator update. Smaller student
            batches buy more student updates for the same time when they
            replay a pool. Defaults to None (the training batch size).
        compile_cfg (dict | bool, optional): Keyword arguments of
            ``nn.Module.compile`` (``torch.compile``) applied in place to
            student, teachers and generator, or True for its defaults (what
            ``--cfg-options model.compile_cfg=True`` gives); opt-in, first
            iterations pay the compilation. State-dict keys are unchanged.
            Defaults to None (off).
        reproduce_mmrazor_side_effects (bool): Reproduce what MMRazor
            1.0.0's training step does beyond its algorithm, for comparisons
            with MMRazor's numbers: the generator update leaves the gradient
            of its loss on the student's weights, and the next student
            update adds it to its own (a step back toward disagreement);
            DAFL also runs the student on the generated images in the
            generator update, which moves its BatchNorm running statistics.
            Defaults to False (``docs/usage.md`` says why).
        generator_augmentation (dict, optional): A differentiable
            augmentation applied to the generator update's images before
            teacher and student see them, e.g. ``dict(type='RandomShiftFlip',
            max_shift=2)``: the generator must then fool the pair on
            shifted and flipped versions of its images. The pool stores
            them unaugmented. Defaults to None (off).
        task (dict, optional): The task's parts, e.g.
            ``dict(type='ClassificationTask')`` (the default).
        data_preprocessor (dict, optional): Pre-processes the real validation
            images; defaults to the student's.
        init_cfg (dict, optional): Initialisation config.
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
                 pool: Optional[Dict] = None,
                 student_batch_size: Optional[int] = None,
                 reproduce_mmrazor_side_effects: bool = False,
                 generator_augmentation: Optional[Dict] = None,
                 task: Optional[Dict] = None,
                 **kwargs) -> None:
        if not is_positive_int(student_iter):
            raise ValueError(
                f'DataFreeDistillation: student_iter must be an integer >= 1 '
                f'(student updates per generator update), got '
                f'{student_iter!r}.')
        if student_batch_size is not None and not is_positive_int(
                student_batch_size):
            raise ValueError(
                'DataFreeDistillation: student_batch_size must be an integer '
                '>= 1 (images per student update) or None (the training '
                f'batch size), got {student_batch_size!r}.')
        if not isinstance(teachers, Mapping) or not teachers:
            raise TypeError(
                'DataFreeDistillation: teachers must be a non-empty dict '
                '{name: dict(build_cfg=..., ckpt_path=...)}, got '
                f'{teachers!r}.')
        if not isinstance(generator, (Mapping, nn.Module)):
            raise TypeError(
                'DataFreeDistillation: generator must be a config dict, got '
                f'{type(generator).__name__}.')
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

    @property
    def freeze_student_in_generator_update(self) -> bool:
        """Whether the generator's loss is kept off the student's weights
        (always, unless MMRazor's side effects are reproduced)."""
        return not self.reproduce_mmrazor_side_effects

    def train(self, mode: bool = True) -> 'DataFreeDistillation':
        """Set train/eval mode; the teachers always stay in eval mode."""
        super().train(mode)
        self.teachers.eval()
        return self

    infer_batch_size = staticmethod(infer_batch_size)

    def train_step(
        self, data: TrainBatch, optim_wrapper: Union[OptimWrapperDict, Mapping]
    ) -> Dict[str, torch.Tensor]:
        """One DFAD iteration: ``student_iter`` student updates, one
        generator update.

        Args:
            data (dict): The training batch; only its length is used.
            optim_wrapper (AlternatingOptimWrapper | OptimWrapperDict): The
                student's (``architecture``) and generator's wrappers.

        Returns:
            dict[str, torch.Tensor]: ``distill.*`` (student losses, mean over
            the student updates) and ``generator.*`` (generator losses,
            negative: the generator maximises the discrepancy).
        """
        return alternating_schedule(optim_wrapper).alternate(
            self, self.infer_batch_size(data))

    def student_loss(self, batch_size: int) -> LossAndLogs:
        """Loss of one student update on detached fake images: fresh ones
        and, with a pool, replayed ones.

        Args:
            batch_size (int): The training batch size (``student_batch_size``
                replaces it when set).

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The loss and the
            values to log.
        """
        fake_images = student_images(self._generate, self.pool,
                                     self.student_batch_size or batch_size,
                                     generator_device(self.generator))
        losses = self._discrepancy(
            self.distiller,
            self._memory_format(fake_images),
            teacher_needs_grad=False)
        return self.parse_losses(losses)

    def generator_loss(self, batch_size: int) -> LossAndLogs:
        """Loss of one generator update; gradients flow through the frozen
        teachers and the student back to the generator.

        Args:
            batch_size (int): Images to generate.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The loss and the
            values to log.
        """
        fake_images = self._generate(batch_size)
        losses = self._discrepancy(
            self.generator_distiller,
            self._augmented(fake_images),
            teacher_needs_grad=True)
        remember_generator_images(self.pool, fake_images)
        return self.parse_losses(losses)

    def skip_generator(self, batch_size: int) -> None:
        """Stand-in for a generator update that cannot change its weights
        (learning rate 0): everything else the update changes is changed as
        it would have been, so the model's whole state ends as if it had
        run.

        The update's forward passes run without gradients and without the
        teachers: the generator's draws its latent noise and moves its
        BatchNorm running statistics (which the generated bank, the
        best-checkpoint selection and label-free early stopping read in
        eval mode), the augmentation draws its shifts, the student's moves
        its BatchNorm running statistics (it is in train mode in the
        update), and the pool stores the images if it keeps the
        generator's. Only the teachers' passes (frozen, in eval mode: they
        change nothing), the backward pass and the optimizer step are
        saved.

        Args:
            batch_size (int): Images the update would have generated.
        """
        with torch.no_grad():
            fake_images = self._generate(batch_size)
            self.student(self._augmented(fake_images), mode='tensor')
        remember_generator_images(self.pool, fake_images)

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
                     teacher_needs_grad: bool) -> Dict[str, torch.Tensor]:
        """Run student and teachers on ``fake_images`` under the distiller's
        recorders and return its losses.

        Args:
            distiller (nn.Module): ``distiller`` or ``generator_distiller``.
            fake_images (torch.Tensor): Shape ``(N, C, H, W)``.
            teacher_needs_grad (bool): Build the teachers' autograd graph
                (needed to reach the generator; their weights stay frozen).

        Returns:
            dict[str, torch.Tensor]: The distiller's losses.
        """
        with distiller.student_recorders:
            self.student(fake_images, mode='tensor')
        with distiller.teacher_recorders, torch.set_grad_enabled(
                teacher_needs_grad and torch.is_grad_enabled()):
            for teacher in self.teachers.values():
                teacher(fake_images, mode='tensor')
        return distiller.compute_distill_losses()

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
