# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Decisions ``tools/train.py`` takes before the runner is built."""
import importlib
import os.path as osp
from typing import List, Optional, Tuple

from .checkpoint import checkpoint_file_problem
from .work_dir import search_resumable_checkpoint

# Checkpoint hook types that delete old checkpoints before saving new ones.
_UNSAFE_CHECKPOINT_HOOKS = ('CheckpointHook', 'mmengine.CheckpointHook')


def use_safe_checkpoint_hook(cfg) -> Optional[str]:
    """Replace MMEngine's ``CheckpointHook`` by ``SafeCheckpointHook``.

    Configs written for MMEngine/MMRazor use ``CheckpointHook``, whose
    rotation can leave no checkpoint on disk when a save is interrupted.
    The safe hook takes the same arguments. Local checkpoints also get the
    atomic backend unless the config chose a backend.

    Args:
        cfg (Config): The training config (changed in place).

    Returns:
        str | None: A line for the log when something was replaced.
    """
    hook = (cfg.get('default_hooks') or {}).get('checkpoint')
    if not hook or hook.get('type') not in _UNSAFE_CHECKPOINT_HOOKS:
        return None
    # ``_scope_`` reaches our registry from any default scope (a
    # ``mmrazor_dfad.`` prefix would not from e.g. ``mmcls``: MMEngine looks
    # prefixed names up among the root registry's direct children only).
    hook.update(type='SafeCheckpointHook', _scope_='mmrazor_dfad')
    note = ('default_hooks.checkpoint: CheckpointHook replaced by '
            'SafeCheckpointHook (same arguments; old checkpoints are removed '
            'only after the new one is complete)')
    out_dir = hook.get('out_dir')
    local = out_dir is None or '://' not in str(out_dir)
    if local and hook.get('backend_args') is None and \
            hook.get('file_client_args') is None:
        hook['backend_args'] = dict(backend='atomic_local')
        note += ', written atomically'
    return note + '.'


# MMEngine's wrapper of MMRazor's data-free configs, which DDP rejects on
# CPU modules (the runner passes device_ids=[LOCAL_RANK]).
_CPU_INCAPABLE_WRAPPERS = ('MMSeparateDistributedDataParallel',
                           'mmengine.MMSeparateDistributedDataParallel')


def use_cpu_capable_model_wrapper(cfg) -> Optional[str]:
    """Replace ``MMSeparateDistributedDataParallel`` by our subclass.

    :class:`DataFreeDistributedDataParallel` wraps the same submodules with
    the same arguments and also runs on the CPU (gloo); on GPUs the two are
    the same.

    Args:
        cfg (Config): The training config (changed in place).

    Returns:
        str | None: A line for the log when something was replaced.
    """
    wrapper = cfg.get('model_wrapper_cfg')
    if not wrapper or wrapper.get('type') not in _CPU_INCAPABLE_WRAPPERS:
        return None
    # The runner looks the type up without a scope; our wrapper registry is
    # a direct child of MMEngine's, so the prefix finds it from any scope.
    wrapper.update(type='mmrazor_dfad.DataFreeDistributedDataParallel')
    return ('model_wrapper_cfg: MMSeparateDistributedDataParallel replaced by '
            'DataFreeDistributedDataParallel (same wrapping and arguments; '
            'also runs on the CPU).')


# MMRazor's constructor of the data-free configs: it builds a plain
# OptimWrapperDict of the same two wrappers.
_SEPARATE_CONSTRUCTORS = ('SeparateOptimWrapperConstructor',
                          'mmrazor.SeparateOptimWrapperConstructor')


def use_alternating_optim_wrapper(cfg) -> Optional[str]:
    """Replace MMRazor's ``SeparateOptimWrapperConstructor`` of a student /
    generator pair by :class:`AlternatingOptimWrapperConstructor`.

    Both build the same two optimizer wrappers from the same config; ours
    puts them in the runner's :class:`AlternatingOptimWrapper`, whose
    divergence guard keeps its history across iterations and whose
    gradient-accumulation counts are placed on resume (a plain
    ``OptimWrapperDict`` is adopted afresh in every iteration).

    Args:
        cfg (Config): The training config (changed in place).

    Returns:
        str | None: A line for the log when something was replaced.
    """
    optim_cfg = cfg.get('optim_wrapper')
    if not optim_cfg or optim_cfg.get('constructor') not in \
            _SEPARATE_CONSTRUCTORS:
        return None
    sides = {
        key
        for key, value in optim_cfg.items() if isinstance(value, dict)
    }
    if sides != {'architecture', 'generator'} or 'type' in optim_cfg:
        return None
    # The runner looks the constructor up from the config's default scope
    # (often mmcls); ours is a child of MMRazor's registry, which the
    # two-level prefix reaches from any scope.
    optim_cfg.constructor = \
        'mmrazor.mmrazor_dfad.AlternatingOptimWrapperConstructor'
    return ('optim_wrapper: SeparateOptimWrapperConstructor replaced by '
            'AlternatingOptimWrapperConstructor (the same two optimizer '
            'wrappers, in the runner\'s alternating schedule).')


def _data_free_algorithm(model_cfg, default_scope: Optional[str]) -> bool:
    """Whether ``model_cfg`` builds this package's DataFreeDistillation (or
    a subclass, e.g. DAFL's), which reads only the batch size of its
    training batches."""
    type_name = model_cfg.get('type') if model_cfg else None
    if not isinstance(type_name, str):
        return False
    scope = model_cfg.get('_scope_') or default_scope or 'mmrazor_dfad'
    try:
        registry = importlib.import_module(f'{scope}.registry').MODELS
        cls = registry.get(type_name)
    except (ImportError, AttributeError, KeyError):
        return False
    return any(base.__name__ == 'DataFreeDistillation'
               and base.__module__.startswith('mmrazor_dfad.')
               for base in getattr(cls, '__mro__', ()))


def _dataset_classes(dataset_cfg, default_scope: Optional[str]):
    """The class names of a dataset config (its type's ``METAINFO``), without
    building it; None if unknown."""
    metainfo = dataset_cfg.get('metainfo') or {}
    if metainfo.get('classes'):
        return list(metainfo['classes'])
    type_name = dataset_cfg.get('type')
    scope = dataset_cfg.get('_scope_') or default_scope
    if not isinstance(type_name, str) or not scope:
        return None
    try:
        registry = importlib.import_module(f'{scope}.registry').DATASETS
        cls = registry.get(type_name)
    except (ImportError, AttributeError, KeyError):
        return None
    classes = (getattr(cls, 'METAINFO', None) or {}).get('classes')
    return list(classes) if classes else None


def use_data_free_train_loader(cfg) -> Optional[str]:
    """Serve a data-free distillation's training batches from
    :class:`DataFreeDataset` when the config names a real dataset.

    MMRazor's data-free configs train on MMCls's ``CIFAR10``, which the
    algorithm reads only for the batch size (how many images to generate),
    yet which needs CIFAR-10 on disk or a download. The same
    ``batch_size`` and sampler are kept; the dataset becomes
    ``DataFreeDataset`` (with the dataset's class names, for the
    checkpoints' meta) and nothing is downloaded or loaded.

    Args:
        cfg (Config): The training config (changed in place).

    Returns:
        str | None: A line for the log when something was replaced.
    """
    loader = cfg.get('train_dataloader')
    dataset = (loader or {}).get('dataset')
    if not dataset or not isinstance(dataset.get('type'), str):
        return None
    if dataset['type'].split('.')[-1] in ('DataFreeDataset',
                                          'GeneratedBankDataset'):
        return None
    default_scope = cfg.get('default_scope')
    if not _data_free_algorithm(cfg.get('model'), default_scope):
        return None
    classes = _dataset_classes(dataset, default_scope)
    data_free = dict(type='DataFreeDataset', _scope_='mmrazor_dfad')
    if classes:
        data_free['classes'] = classes
    replaced = dict(
        batch_size=loader.get('batch_size', 1),
        num_workers=0,
        sampler=loader.get('sampler')
        or dict(type='InfiniteSampler', shuffle=False),
        dataset=data_free,
        collate_fn=dict(type='pseudo_collate'))
    cfg.train_dataloader = replaced
    return (f"train_dataloader: {dataset['type']} replaced by DataFreeDataset "
            f"(batch_size {replaced['batch_size']} kept; the algorithm reads "
            'only the batch size, so no dataset is downloaded or loaded).')


def choose_resume_checkpoint(
        work_dir: str,
        resume: Optional[str],
        resume_if_any: bool = False) -> Tuple[Optional[str], List[str]]:
    """Decide what ``--resume`` resumes from, or fail with the reason.

    Args:
        work_dir (str): The run's work dir.
        resume (str | None): ``None`` (no ``--resume``), ``'auto'``
            (``--resume`` without a value: the newest complete checkpoint of
            the work dir) or a checkpoint path or URL.
        resume_if_any (bool): ``--resume-if-any``: like ``'auto'``, but start
            from scratch when the work dir holds no complete checkpoint.

    Returns:
        tuple[str | None, list[str]]: The checkpoint to resume from (None:
        start from scratch) and lines for the log (what was chosen, what
        was skipped and why).

    Raises:
        FileNotFoundError: ``--resume`` found no complete checkpoint, or the
            named file does not exist.
        ValueError: The named checkpoint is damaged.
    """
    if resume is None and not resume_if_any:
        return None, []
    if resume not in (None, 'auto'):
        if '://' in resume:
            return resume, [f'Resuming from {resume}.']
        if not osp.exists(resume):
            raise FileNotFoundError(
                f"--resume {resume}: no such file. Pass an existing "
                'checkpoint, or --resume alone for the newest complete one '
                'in the work dir.')
        problem = checkpoint_file_problem(resume)
        if problem is not None:
            newest = search_resumable_checkpoint(work_dir).path
            hint = f' The newest complete checkpoint of the work dir is ' \
                f'{newest}.' if newest else ''
            raise ValueError(
                f'--resume {resume}: cannot resume from it: {problem}.'
                f'{hint}')
        return resume, [f'Resuming from {resume}.']

    search = search_resumable_checkpoint(work_dir)
    lines = [
        f'Skipped {path} for resuming: {reason}.'
        for path, reason in search.skipped
    ]
    if search.path is None:
        if resume_if_any:
            return None, lines + [
                f"--resume-if-any: no complete checkpoint in '{work_dir}'; "
                'starting from scratch.'
            ]
        raise FileNotFoundError(search.describe_failure())
    return search.path, lines + [f'Resuming from {search.path}.']
