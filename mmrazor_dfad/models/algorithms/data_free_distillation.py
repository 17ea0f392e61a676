# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import warnings
from typing import Dict, List, Mapping, Optional, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner.checkpoint import get_state_dict
from mmrazor.models.algorithms.base import BaseAlgorithm

from mmrazor_dfad.models.generators.latent import (generate_from_latent,
                                                   generator_device)
from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPERS
from mmrazor_dfad.structures import classification_data_sample_type
from mmrazor_dfad.utils.checkpoint import load_teacher_weights


def _unwrap(module: nn.Module) -> nn.Module:
    """The module inside a DDP wrapper (evaluation needs no gradient sync)."""
    return module.module if is_model_wrapper(module) else module


def _check_loss_names(key: str, distiller: nn.Module) -> None:
    """Refuse loss names that MMEngine's ``parse_losses`` would not count.

    ``parse_losses`` sums only the values whose key contains ``'loss'``; any
    other loss would be logged and never optimised, and a distiller with no
    such key at all leaves nothing to back-propagate.

    Args:
        key (str): ``'distiller'`` or ``'generator_distiller'``.
        distiller (nn.Module): The built distiller.

    Raises:
        ValueError: Naming the loss and the fix.
    """
    for loss_name in getattr(distiller, 'distill_losses', {}):
        if 'loss' not in loss_name:
            raise ValueError(
                f"model.{key}.distill_losses['{loss_name}']: a loss whose "
                "name does not contain 'loss' is logged but never "
                'optimised (MMEngine\'s parse_losses sums only keys with '
                f"'loss'). Rename it, e.g. to 'loss_{loss_name}', here and "
                'in loss_forward_mappings.')


def _is_positive_int(value) -> bool:
    """Whether ``value`` is an int >= 1 (``True`` is not a count)."""
    return isinstance(value,
                      int) and not isinstance(value, bool) and value >= 1


TrainBatch = Union[Dict[str, List], Dict[str, torch.Tensor]]
LogVars = Dict[str, torch.Tensor]


@MODELS.register_module()
class DataFreeDistillation(BaseAlgorithm):
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
        data_preprocessor (dict, optional): Pre-processes the real validation
            images; defaults to the student's.
        init_cfg (dict, optional): Initialisation config.
    """

    TEACHERS_PREFIX = 'teachers.'

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
                 **kwargs) -> None:
        if not _is_positive_int(student_iter):
            raise ValueError(
                f'DataFreeDistillation: student_iter must be an integer >= 1 '
                f'(student updates per generator update), got '
                f'{student_iter!r}.')
        if student_batch_size is not None and not _is_positive_int(
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

        self.teachers = nn.ModuleDict({
            name: self._build_teacher(name, cfg)
            for name, cfg in teachers.items()
        })
        self._register_load_state_dict_pre_hook(self._use_own_teacher_weights)
        self.generator = generator if isinstance(
            generator, nn.Module) else MODELS.build(generator)

        self.distiller = MODELS.build(distiller)
        self.generator_distiller = MODELS.build(generator_distiller)
        for key, built in (('distiller', self.distiller),
                           ('generator_distiller', self.generator_distiller)):
            _check_loss_names(key, built)
            built.prepare_from_student(self.student)
            built.prepare_from_teacher(self.teachers)
        self.pool = self._build_pool(pool)
        self._warn_on_collaborating_generator()
        self._check_shapes()
        self.channels_last = channels_last
        players = [self.student, self.generator, *self.teachers.values()]
        if channels_last:
            for module in players:
                module.to(memory_format=torch.channels_last)
        if compile_cfg is True:
            compile_cfg = {}
        if compile_cfg not in (None, False):
            if not isinstance(compile_cfg, Mapping):
                raise TypeError(
                    'DataFreeDistillation: compile_cfg must be a dict of '
                    'torch.compile arguments or True, got '
                    f'{compile_cfg!r}. E.g. --cfg-options '
                    'model.compile_cfg=True or model.compile_cfg.mode=default.'
                )
            for module in players:
                module.compile(**compile_cfg)

    @property
    def student(self) -> nn.Module:
        """The student (alias of ``architecture``)."""
        return self.architecture

    def _build_pool(self, pool: Optional[Dict]) -> Optional[nn.Module]:
        if pool is None or isinstance(pool, nn.Module):
            return pool
        if not isinstance(pool, Mapping):
            raise TypeError('DataFreeDistillation: pool must be a config dict '
                            f'(e.g. type=SyntheticImagePool), got {pool!r}.')
        pool = dict(pool)
        if 'image_shape' not in pool:
            size = getattr(self.generator, 'img_size', None)
            if size is None:
                raise ValueError(
                    'DataFreeDistillation: set model.pool.image_shape=(C, H, '
                    'W); the generator does not tell its img_size.')
            pool['image_shape'] = (getattr(self.generator, 'out_channels',
                                           3), size, size)
        return MODELS.build(pool)

    @staticmethod
    def _build_teacher(name: str, cfg: Dict) -> nn.Module:
        """Build, load and freeze one teacher.

        Args:
            name (str): The teacher's key in ``teachers``.
            cfg (dict): ``dict(build_cfg=..., ckpt_path=...)``.

        Returns:
            nn.Module: The teacher in eval mode with ``requires_grad=False``.
        """
        if not isinstance(cfg, Mapping) or 'build_cfg' not in cfg:
            raise TypeError(
                f"DataFreeDistillation: teachers['{name}'] must be "
                "dict(build_cfg=dict(...), ckpt_path='...'), got "
                f'{cfg!r}.')
        teacher = MODELS.build(cfg['build_cfg'])
        ckpt_path = cfg.get('ckpt_path')
        if ckpt_path:
            # Marks the teacher initialised, so the runner's init_weights()
            # does not overwrite the loaded weights.
            if hasattr(teacher, 'init_weights'):
                teacher.init_weights()
            load_teacher_weights(teacher, ckpt_path, name)
        else:
            warnings.warn(
                f"DataFreeDistillation: teacher '{name}' has no ckpt_path; "
                'it keeps the weights it was built with. Distilling from an '
                'untrained teacher teaches nothing.')
        teacher.requires_grad_(False)
        return teacher.eval()

    @torch.no_grad()
    def _check_shapes(self) -> None:
        """Fail at build time if the models cannot play together.

        Runs teachers and student in eval mode (no statistics change) on two
        blank images of the generator's output shape and compares logits.
        """
        size = getattr(self.generator, 'img_size', None)
        channels = getattr(self.generator, 'out_channels', 3)
        if size is None:
            return
        images = torch.zeros(2, channels, size, size)
        shape_text = f'(N, {channels}, {size}, {size})'
        fix = ('Set model.generator img_size/out_channels to the input the '
               'teacher was trained on.')
        logits = {}
        for name, model in [
            (f"teacher '{n}'", t) for n, t in self.teachers.items()
        ] + [('student', self.student)]:
            was_training = model.training
            model.eval()
            try:
                logits[name] = model(images, mode='tensor')
            except Exception as error:
                raise ValueError(
                    f'The generator makes {shape_text} images but the {name} '
                    f'cannot take them ({type(error).__name__}: {error}). '
                    f'{fix}') from error
            finally:
                model.train(was_training)
        student_shape = tuple(logits.pop('student').shape)
        for name, teacher_logits in logits.items():
            if tuple(teacher_logits.shape) != student_shape:
                raise ValueError(
                    f'Student logits have shape {student_shape} but the '
                    f'{name} gives {tuple(teacher_logits.shape)}: they cannot '
                    'be compared. Give the student the teacher\'s number of '
                    'classes (head.num_classes).')

    def _warn_on_collaborating_generator(self) -> None:
        losses = getattr(self.generator_distiller, 'distill_losses', {})
        mappings = getattr(self.generator_distiller, 'loss_forward_mappings',
                           {})
        for loss_name, loss in losses.items():
            sides = {
                item.get('from_student')
                for item in mappings.get(loss_name, {}).values()
                if isinstance(item, dict)
            }
            # Only a teacher-student discrepancy must be maximised; terms on
            # one side (e.g. DAFL's class-balance entropy) may be positive.
            if sides != {True, False}:
                continue
            weight = getattr(loss, 'loss_weight', None)
            if weight is not None and weight >= 0:
                warnings.warn(
                    f'DataFreeDistillation: generator_distiller loss '
                    f"'{loss_name}' has loss_weight={weight}; the generator "
                    'then minimises the teacher-student discrepancy and '
                    'collaborates with the student instead of competing. '
                    'DFAD uses a negative weight (e.g. -1.0).')

    def state_dict(self,
                   *args,
                   destination=None,
                   prefix: str = '',
                   keep_vars: bool = False) -> Dict[str, torch.Tensor]:
        """State dict of what training changes: student and generator.

        Two differences from PyTorch's:

        - The frozen teachers are left out. Their weights come from one
          place, ``teachers[name]['ckpt_path']``, whether training starts,
          resumes or a checkpoint is tested; checkpoints do not carry a
          second copy that could go stale.
        - Distributed training wraps the student and the generator
          separately; PyTorch would save ``architecture.module.*`` while
          MMEngine loads ``architecture.*``. The unwrapped names make one
          checkpoint load the same wrapped or not.
        """
        if args:
            raise TypeError('state_dict() takes keyword arguments only')
        state = get_state_dict(self, destination, prefix, keep_vars)
        teacher_prefix = f'{prefix}{self.TEACHERS_PREFIX}'
        for key in [k for k in state if k.startswith(teacher_prefix)]:
            del state[key]
        return state

    def _use_own_teacher_weights(self, state_dict: Dict, prefix: str,
                                 *args) -> None:
        """Load-state-dict pre-hook: the teachers keep the weights loaded
        from their ``ckpt_path`` (entries of older checkpoints that carried
        teacher weights are overridden, missing ones are filled in)."""
        teacher_prefix = f'{prefix}{self.TEACHERS_PREFIX}'
        for key, value in self.teachers.state_dict().items():
            state_dict[f'{teacher_prefix}{key}'] = value

    def train(self, mode: bool = True) -> 'DataFreeDistillation':
        """Set train/eval mode; the teachers always stay in eval mode."""
        super().train(mode)
        self.teachers.eval()
        return self

    @staticmethod
    def infer_batch_size(data: TrainBatch) -> int:
        """Number of samples in a training batch, without touching them.

        Args:
            data (dict): A collated batch: from :class:`DataFreeDataset`
                (``{'sample_idx': [...]}``) or any MMEngine dataset
                (``{'inputs': [...], 'data_samples': [...]}``).

        Returns:
            int: The batch size: how many images to generate per step.
        """
        if isinstance(data, Mapping):
            for key in ('inputs', 'sample_idx', *data.keys()):
                value = data.get(key)
                if isinstance(value,
                              (list, tuple, torch.Tensor)) and len(value) > 0:
                    return len(value)
        raise TypeError(
            'DataFreeDistillation: cannot tell the batch size from the '
            f'training batch {type(data).__name__}; use '
            "train_dataloader=dict(batch_size=N, dataset=dict("
            "type='DataFreeDataset')).")

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
        batch_size = self.infer_batch_size(data)
        schedule = self._schedule(optim_wrapper)
        return schedule.alternate(
            student_step=lambda: self._student_loss(
                self._student_batch(batch_size)),
            generator_step=lambda: self._generator_loss(batch_size),
            student=self.student,
            generator=self.generator,
            student_iter=self.student_iter,
            student_train_first=self.student_train_first,
            skip_generator_step=lambda: self._skip_generator_step(batch_size),
            freeze_student=not self.reproduce_mmrazor_side_effects)

    def train_student(self, data: TrainBatch,
                      optimizer: OptimWrapper) -> Tuple[torch.Tensor, LogVars]:
        """The student updates of one iteration, alone (MMRazor's
        interface; :meth:`train_step` runs them with the generator's).

        Args:
            data (dict): The training batch; only its length is used.
            optimizer (OptimWrapper): The student's optimizer wrapper.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The student's loss
            and the values to log, prefixed ``distill.``, both averaged over
            the ``student_iter`` updates and detached.
        """
        batch_size = self.infer_batch_size(data)
        # Only the student's side of the schedule runs; the generator's
        # slot needs some wrapper and is never used.
        schedule = self._schedule(
            dict(architecture=optimizer, generator=optimizer))
        log_vars = schedule.train_student(
            lambda: self._student_loss(self._student_batch(batch_size)),
            self.student, self.student_iter)
        return log_vars['distill.loss'], log_vars

    def train_generator(
            self, data: TrainBatch,
            optimizer: OptimWrapper) -> Tuple[torch.Tensor, LogVars]:
        """One generator update, alone (MMRazor's interface;
        :meth:`train_step` runs it with the student's).

        Unlike in :meth:`train_step`, the update runs even at learning
        rate 0.

        Args:
            data (dict): The training batch; only its length is used.
            optimizer (OptimWrapper): The generator's optimizer wrapper.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The generator's
            loss and the values to log, prefixed ``generator.``, detached.
        """
        batch_size = self.infer_batch_size(data)
        # Only the generator's side of the schedule runs; the student's
        # slot needs some wrapper and is never used.
        schedule = self._schedule(
            dict(architecture=optimizer, generator=optimizer))
        log_vars = schedule.train_generator(
            lambda: self._generator_loss(batch_size),
            self.generator,
            self.student,
            freeze_student=not self.reproduce_mmrazor_side_effects)
        return log_vars['generator.loss'], log_vars

    @staticmethod
    def _schedule(optim_wrapper: Union[OptimWrapperDict, Mapping]):
        """The :class:`AlternatingOptimWrapper` running the updates.

        The wrapper owns the schedule. Wrappers built by other constructors
        (MMRazor's ``SeparateOptimWrapperConstructor``) are adopted through
        the registry, which keeps the models independent of the engine
        package.
        """
        return OPTIM_WRAPPERS.get(
            'AlternatingOptimWrapper').from_optim_wrappers(optim_wrapper)

    def _student_batch(self, batch_size: int) -> int:
        """Images per student update, given the training batch size."""
        return self.student_batch_size or batch_size

    def _student_loss(
            self,
            batch_size: int) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """Loss of one student update on detached fake images: fresh ones
        and, with a pool, replayed ones."""
        replayed = self.pool.split(batch_size) if self.pool is not None \
            else 0
        parts = []
        if replayed < batch_size:
            with torch.no_grad():
                parts.append(self._generate(batch_size - replayed))
        if replayed:
            # Drawn before this update's fresh images are stored: replay
            # shows the student images of earlier updates.
            parts.append(
                self.pool.sample(replayed).to(self._generator_device()))
        if replayed < batch_size and self.pool is not None and \
                self.pool.stores_student_images:
            self.pool.add(parts[0])
        fake_images = torch.cat(parts) if len(parts) > 1 else parts[0]
        if self.channels_last:
            fake_images = fake_images.contiguous(
                memory_format=torch.channels_last)
        losses = self._discrepancy(
            self.distiller, fake_images, teacher_needs_grad=False)
        return self.parse_losses(losses)

    def _generator_loss(
            self,
            batch_size: int) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """Loss of the generator update; gradients flow through the frozen
        teachers and the student back to the generator."""
        fake_images = self._generate(batch_size)
        losses = self._discrepancy(
            self.generator_distiller, fake_images, teacher_needs_grad=True)
        if self.pool is not None and self.pool.stores_generator_images:
            self.pool.add(fake_images)
        return self.parse_losses(losses)

    def _skip_generator_step(self, batch_size: int) -> None:
        """Stand-in for a generator update that cannot change anything
        (learning rate 0): draw the latent noise the update would have
        drawn, so later student updates see the same images as if it had
        run. Generators without ``sample_latent`` run a gradient-free
        forward pass instead (they draw their noise there)."""
        generator = self.generator.module if is_model_wrapper(
            self.generator) else self.generator
        if hasattr(generator, 'sample_latent'):
            generator.sample_latent(batch_size)
            return
        with torch.no_grad():
            self.generator(batch_size=batch_size)

    def _generator_device(self) -> torch.device:
        return generator_device(self.generator)

    def _generate(self, batch_size: int) -> torch.Tensor:
        """``batch_size`` fake images, shape ``(N, C, H, W)``."""
        fake_images = self.generator(batch_size=batch_size)
        if self.channels_last:
            fake_images = fake_images.contiguous(
                memory_format=torch.channels_last)
        return fake_images

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
            list[ClsDataSample]: One per image, with the student's
            ``pred_score`` / ``pred_label`` (what MMCls's ``Accuracy`` reads),
            and ``student_logits`` and ``teacher_logits`` of shape ``(C, )``
            (what :class:`TeacherStudentMetric` reads). With several teachers
            ``teacher_logits`` is the mean of their logits.
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
        student_logits = student(images, mode='tensor')
        teacher_logits = torch.stack([
            teacher(images, mode='tensor')
            for teacher in self.teachers.values()
        ]).mean(dim=0)
        return self._pack_predictions(student_logits, teacher_logits,
                                      data_samples)

    def test_step(self, data: Union[Dict, List]) -> List:
        """Same as :meth:`val_step`."""
        return self.val_step(data)

    def bank_images(self,
                    indices: List[int],
                    seeds: List[int],
                    latent_scales: Optional[List[float]] = None,
                    mixes: Optional[List[bool]] = None) -> torch.Tensor:
        """Images of a :class:`GeneratedBankDataset` from the generator.

        Latent ``i`` of bank ``seed`` is drawn from its own random generator
        seeded with ``(seed, 0, i)`` (``(seed, 1, i)`` for the partner of a
        mixed image): the same vector in every call, process
        and batch split, and never one that training draws. The generator
        runs as it is (in eval mode inside validation: BatchNorm uses its
        running statistics, so each image depends on its latent only).

        Args:
            indices (list[int]): Bank indices, length ``N``.
            seeds (list[int]): The bank's seed for each index, length ``N``.
            latent_scales (list[float], optional): Factor on each latent.
            mixes (list[bool], optional): Average image ``i`` with the image
                of a second latent (seeded with ``(seed, 1, i)``).

        Returns:
            torch.Tensor: Shape ``(N, C, H, W)``, on the generator's device.
        """
        generator = _unwrap(self.generator)
        latent_dim = getattr(generator, 'latent_dim', None)
        if latent_dim is None:
            raise AttributeError(
                f'{type(generator).__name__} has no latent_dim: a generated '
                'bank needs a generator called as generator(data=z, '
                'batch_size=N), as MMRazor\'s generators are.')

        def draw(partner: int) -> torch.Tensor:
            # NumPy's SeedSequence mixes all three numbers into the state
            # (PyTorch's CPU generator keeps only 32 bits of a seed).
            return torch.from_numpy(
                np.stack([
                    np.random.default_rng([int(seed), partner,
                                           int(index)
                                           ]).standard_normal(latent_dim)
                    for index, seed in zip(indices, seeds)
                ]).astype(np.float32))

        scales = torch.tensor(
            latent_scales if latent_scales is not None else [1.0] *
            len(indices)).view(-1, 1)
        device = self._generator_device()
        images = generate_from_latent(generator, draw(0) * scales)
        if mixes is not None and any(mixes):
            partners = generate_from_latent(generator, draw(1) * scales)
            weight = torch.tensor([0.5 if mix else 1.0 for mix in mixes],
                                  device=device).view(-1, 1, 1, 1)
            images = weight * images + (1 - weight) * partners
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        return images

    @staticmethod
    def _pack_predictions(student_logits: torch.Tensor,
                          teacher_logits: torch.Tensor,
                          data_samples: Optional[List]) -> List:
        """Data samples carrying both networks' logits (see val_step)."""
        if data_samples is None:
            sample_type = classification_data_sample_type()
            data_samples = [sample_type() for _ in student_logits]
        scores = student_logits.softmax(dim=1)
        for sample, s_logits, t_logits, score in zip(data_samples,
                                                     student_logits,
                                                     teacher_logits, scores):
            sample.set_pred_score(score).set_pred_label(score.argmax())
            sample.set_field(s_logits, 'student_logits', field_type='data')
            sample.set_field(t_logits, 'teacher_logits', field_type='data')
        return data_samples

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """Not used: DFAD has no supervised loss; training goes through
        :meth:`train_step`."""
        raise NotImplementedError(
            'DataFreeDistillation has no supervised loss; train it through '
            'train_step (the runner does), or call the student directly.')
