# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Building a data-free distillation's parts and refusing, at build time,
parts that cannot play together."""
import logging
import warnings
from typing import Dict, Iterable, List, Mapping, Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log

from mmrazor_dfad.models.tasks import TaskMismatchError
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.utils.checkpoint import load_teacher_weights
from mmrazor_dfad.utils.downloads import (DownloadFailed,
                                          describe_download_failure,
                                          download_error)


def is_positive_int(value) -> bool:
    """Whether ``value`` is an int >= 1 (``True`` is not a count)."""
    return isinstance(value,
                      int) and not isinstance(value, bool) and value >= 1


def check_arguments(student_iter, student_batch_size, teachers,
                    generator) -> None:
    """Refuse ``DataFreeDistillation`` arguments of the wrong kind, with the
    fix (the teachers' and generator's checks raise ``TypeError``, as
    MMRazor's)."""
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


def check_loss_names(key: str, distiller: nn.Module) -> None:
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


def build_teacher(name: str, cfg: Dict) -> nn.Module:
    """Build, load and freeze one teacher.

    With a ``ckpt_path``, pretrained weights that the checkpoint replaces
    are not downloaded (``build_cfg.pretrained=True`` of an MMRazor
    ``cfg_path`` teacher, ``init_cfg=dict(type='Pretrained')`` anywhere in
    the built teacher), and the log says so. A download that fails ends in
    :class:`DownloadFailed`, one line with the cause and the fix.

    Args:
        name (str): The teacher's key in ``teachers``.
        cfg (dict): ``dict(build_cfg=..., ckpt_path=...)``.

    Returns:
        nn.Module: The teacher in eval mode with ``requires_grad=False``.
    """
    if not isinstance(cfg, Mapping) or 'build_cfg' not in cfg:
        raise TypeError(f"DataFreeDistillation: teachers['{name}'] must be "
                        "dict(build_cfg=dict(...), ckpt_path='...'), got "
                        f'{cfg!r}.')
    ckpt_path = cfg.get('ckpt_path')
    build_cfg = cfg['build_cfg']
    skipped = []
    if ckpt_path and isinstance(build_cfg, Mapping) and \
            build_cfg.get('cfg_path') and build_cfg.get('pretrained'):
        # MMRazor's configs: the library's model-zoo weights, which
        # ckpt_path overwrites anyway.
        build_cfg = dict(build_cfg, pretrained=False)
        skipped.append('build_cfg.pretrained=True')
    try:
        teacher = MODELS.build(build_cfg)
        if ckpt_path:
            skipped += drop_pretrained_init(teacher)
            if skipped:
                print_log(
                    f"Teacher '{name}': not downloading its pretrained "
                    f"weights ({'; '.join(skipped)}): ckpt_path "
                    f"'{ckpt_path}' replaces them.",
                    logger='current',
                    level=logging.INFO)
            # Marks the teacher initialised, so the runner's init_weights()
            # does not overwrite the loaded weights.
            if hasattr(teacher, 'init_weights'):
                teacher.init_weights()
    except Exception as error:
        cause = download_error(error)
        if cause is None:
            raise
        raise DownloadFailed(
            describe_download_failure(
                cause, f"teacher '{name}''s pretrained weights",
                'Download them where you have internet and set '
                f"model.teachers['{name}'].ckpt_path to the file (a "
                'ckpt_path skips the pretrained download).')) from error
    if ckpt_path:
        load_teacher_weights(teacher, ckpt_path, name)
    else:
        warnings.warn(
            f"DataFreeDistillation: teacher '{name}' has no ckpt_path; it "
            'keeps the weights it was built with. Distilling from an '
            'untrained teacher teaches nothing.')
    teacher.requires_grad_(False)
    return teacher.eval()


def drop_pretrained_init(model: nn.Module) -> List[str]:
    """Remove the ``init_cfg=dict(type='Pretrained', ...)`` of ``model`` and
    its submodules (in place), so ``init_weights()`` downloads nothing.

    Args:
        model (nn.Module): A built teacher whose weights a checkpoint
            replaces.

    Returns:
        list[str]: ``init_cfg Pretrained of NAME: CHECKPOINT`` for each
        removed one.
    """
    dropped = []
    for module_name, module in model.named_modules():
        init_cfg = getattr(module, 'init_cfg', None)
        if not init_cfg:
            continue
        items = init_cfg if isinstance(init_cfg, list) else [init_cfg]
        kept = [
            item for item in items if not (isinstance(item, Mapping) and str(
                item.get('type', '')).split('.')[-1] == 'Pretrained')
        ]
        if len(kept) == len(items):
            continue
        for item in items:
            if item not in kept:
                dropped.append(f'init_cfg Pretrained of '
                               f"{module_name or 'the model'}: "
                               f"{item.get('checkpoint')}")
        module.init_cfg = kept if isinstance(init_cfg, list) else None
    return dropped


def build_pool(pool: Union[Dict, nn.Module, None],
               generator: nn.Module) -> Optional[nn.Module]:
    """The replay pool, with ``image_shape`` defaulting to the generator's
    output.

    Args:
        pool (dict | nn.Module | None): E.g. ``dict(type='SyntheticImagePool',
            capacity=25600)``.
        generator (nn.Module): Tells ``img_size`` and ``out_channels``.

    Returns:
        nn.Module | None: The built pool.
    """
    if pool is None or isinstance(pool, nn.Module):
        return pool
    if not isinstance(pool, Mapping):
        raise TypeError('DataFreeDistillation: pool must be a config dict '
                        f'(e.g. type=SyntheticImagePool), got {pool!r}.')
    pool = dict(pool)
    if 'image_shape' not in pool:
        size = getattr(generator, 'img_size', None)
        if size is None:
            raise ValueError(
                'DataFreeDistillation: set model.pool.image_shape=(C, H, W); '
                'the generator does not tell its img_size.')
        pool['image_shape'] = (getattr(generator, 'out_channels',
                                       3), size, size)
    return MODELS.build(pool)


@torch.no_grad()
def check_players_fit(generator: nn.Module, student: nn.Module,
                      teachers: Mapping[str, nn.Module], task) -> None:
    """Fail at build time if the models cannot play together.

    Runs teachers and student in eval mode (no statistics change) on two
    blank images of the generator's output shape and lets the task compare
    their logits.

    Args:
        generator (nn.Module): Tells ``img_size`` and ``out_channels``;
            without ``img_size`` nothing is checked.
        student (nn.Module): The student.
        teachers (Mapping[str, nn.Module]): The teachers by name.
        task: Has ``logits(model, images)`` and
            ``check_logits(student_shape, teacher_shape, teacher_name)``.
    """
    size = getattr(generator, 'img_size', None)
    channels = getattr(generator, 'out_channels', 3)
    if size is None:
        return
    images = torch.zeros(2, channels, size, size)
    shape_text = f'(N, {channels}, {size}, {size})'
    players = [(f"teacher '{name}'", teacher)
               for name, teacher in teachers.items()]
    logits = {}
    for name, model in players + [('student', student)]:
        was_training = model.training
        model.eval()
        try:
            logits[name] = task.logits(model, images)
        except TaskMismatchError:
            raise
        except Exception as error:
            raise ValueError(
                f'The generator makes {shape_text} images but the {name} '
                f'cannot take them ({type(error).__name__}: {error}). Set '
                'model.generator img_size/out_channels to the input the '
                'teacher was trained on.') from error
        finally:
            model.train(was_training)
    student_shape = tuple(logits.pop('student').shape)
    for name, teacher_logits in logits.items():
        task.check_logits(student_shape, tuple(teacher_logits.shape), name)


def warn_on_collaborating_generator(generator_distiller: nn.Module) -> None:
    """Warn when the generator would minimise a teacher-student discrepancy
    (a non-negative weight) instead of maximising it."""
    losses = getattr(generator_distiller, 'distill_losses', {})
    mappings = getattr(generator_distiller, 'loss_forward_mappings', {})
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


def prepare_players(players: Iterable[nn.Module], channels_last: bool,
                    compile_cfg: Union[Dict, bool, None]) -> None:
    """Apply the speed switches in place: memory format and compilation.

    Args:
        players (Iterable[nn.Module]): Student, generator and teachers.
        channels_last (bool): Use the ``channels_last`` memory format.
        compile_cfg (dict | bool | None): ``nn.Module.compile`` arguments,
            True for its defaults, None or False for none.
    """
    players = list(players)
    if channels_last:
        for module in players:
            module.to(memory_format=torch.channels_last)
    if compile_cfg is True:
        compile_cfg = {}
    if compile_cfg in (None, False):
        return
    if not isinstance(compile_cfg, Mapping):
        raise TypeError(
            'DataFreeDistillation: compile_cfg must be a dict of '
            f'torch.compile arguments or True, got {compile_cfg!r}. E.g. '
            '--cfg-options model.compile_cfg=True or '
            'model.compile_cfg.mode=default.')
    for module in players:
        module.compile(**compile_cfg)
