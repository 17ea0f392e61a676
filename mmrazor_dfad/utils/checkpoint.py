# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Loading checkpoints safely on PyTorch >= 2.6.

``torch.load`` defaults to ``weights_only=True`` since PyTorch 2.6, and
MMEngine 0.10.7 calls it without the argument. Its own checkpoints carry a few
non-tensor objects (NumPy scalars and arrays in the message hub, the history
buffers of logged values), so ``--resume`` fails. Instead of unpickling
arbitrary files, :func:`checkpoint_safe_globals` allow-lists exactly the types
those checkpoints legitimately contain, for the duration of a ``with`` block.
The one risky global they use, ``getattr`` (MMEngine pickles the statistics
methods of ``HistoryBuffer`` as ``getattr(HistoryBuffer, 'mean')``), is
replaced by :func:`history_buffer_getattr`, which resolves nothing else.
"""
import contextlib
import os.path as osp
from typing import Dict, Iterator, List

import pickle

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader


def _numpy_safe_globals() -> List:
    core = getattr(np, '_core', None) or np.core
    dtype_classes = [
        type(np.dtype(name)) for name in
        ('float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64',
         'uint8', 'bool')
    ]
    return [
        core.multiarray._reconstruct, core.multiarray.scalar, np.ndarray,
        np.dtype, *dtype_classes
    ]


# HistoryBuffer registers these lazily, on its first instantiation.
_BUILTIN_STATISTICS = frozenset(('min', 'max', 'current', 'mean'))


def history_buffer_getattr(owner, name: str):
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods.

    Args:
        owner: Must be :class:`mmengine.logging.HistoryBuffer`.
        name (str): A registered statistics method (``mean``, ``min``...).

    Returns:
        callable: The method.

    Raises:
        pickle.UnpicklingError: For anything else.
    """
    allowed = _BUILTIN_STATISTICS | set(HistoryBuffer._statistics_methods)
    if owner is HistoryBuffer and name in allowed:
        return getattr(owner, name)
    raise pickle.UnpicklingError(
        f'Refusing getattr({owner!r}, {name!r}) while loading a checkpoint: '
        'only HistoryBuffer statistics methods are allowed.')


def checkpoint_safe_globals_list() -> List:
    """The non-tensor globals MMEngine checkpoints legitimately contain.

    Returns:
        list: Classes, functions and ``(function, pickled name)`` pairs for
        ``torch.serialization``'s allow-list.
    """
    return [
        HistoryBuffer, *_numpy_safe_globals(),
        (history_buffer_getattr, '__builtin__.getattr'),
        (history_buffer_getattr, 'builtins.getattr')
    ]


@contextlib.contextmanager
def checkpoint_safe_globals() -> Iterator[None]:
    """Allow-list MMEngine checkpoint contents for ``weights_only`` loading.

    A no-op on PyTorch versions without ``torch.serialization.safe_globals``.
    """
    safe_globals = getattr(torch.serialization, 'safe_globals', None)
    if safe_globals is None:
        yield
        return
    with safe_globals(checkpoint_safe_globals_list()):
        yield


def _is_url(path: str) -> bool:
    return '://' in path


def load_teacher_weights(teacher: nn.Module, ckpt_path: str,
                         name: str) -> None:
    """Load a teacher checkpoint strictly, with errors that say what to fix.

    Args:
        teacher (nn.Module): The built teacher.
        ckpt_path (str): Local path or URL (``http(s)://``, ``s3://``...).
            MMEngine checkpoints (``{'state_dict': ...}``) and bare state
            dicts are accepted; a DDP ``module.`` prefix is removed.
        name (str): The teacher's name in the config, for messages.

    Raises:
        FileNotFoundError: A local ``ckpt_path`` does not exist.
        RuntimeError: A URL could not be fetched or read.
        KeyError: The checkpoint's keys do not fit the teacher.
        ValueError: The checkpoint's shapes do not fit the teacher.
    """
    where = f"model.teachers['{name}'].ckpt_path"
    if not _is_url(ckpt_path) and not osp.isfile(ckpt_path):
        raise FileNotFoundError(
            f"Teacher '{name}': checkpoint file '{ckpt_path}' does not "
            f'exist. Fix {where} (a local .pth file or an http(s) URL).')
    try:
        with checkpoint_safe_globals():
            checkpoint = CheckpointLoader.load_checkpoint(
                ckpt_path, map_location='cpu')
    except Exception as error:  # the loaders raise many kinds
        if not _is_url(ckpt_path):
            raise
        raise RuntimeError(
            f"Teacher '{name}': could not download '{ckpt_path}' "
            f'({type(error).__name__}: {error}). Download it where you have '
            f'internet and set {where} to the local file.') from error
    state_dict: Dict = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else checkpoint
    if not isinstance(state_dict, dict):
        raise KeyError(f"Teacher '{name}': '{ckpt_path}' holds no state "
                       f'dict (found {type(state_dict).__name__}).')
    if state_dict and all(key.startswith('module.') for key in state_dict):
        state_dict = {key[len('module.'):]: v for key, v in state_dict.items()}
    try:
        result = teacher.load_state_dict(state_dict, strict=False)
    except RuntimeError as error:  # shape mismatches
        raise ValueError(
            f"Teacher '{name}': checkpoint '{ckpt_path}' does not fit the "
            f'teacher built from build_cfg: {error}. Check that build_cfg '
            'describes the architecture the checkpoint was trained with.'
        ) from error
    if result.missing_keys or result.unexpected_keys:
        raise KeyError(
            f"Teacher '{name}': checkpoint '{ckpt_path}' does not fit the "
            f'teacher built from build_cfg. Missing keys: '
            f'{_preview(result.missing_keys)}; unexpected keys: '
            f'{_preview(result.unexpected_keys)}. Check that build_cfg '
            f'describes the architecture the checkpoint was trained with.')


def _preview(keys: List[str], limit: int = 5) -> str:
    if not keys:
        return 'none'
    shown = ', '.join(keys[:limit])
    return f'{shown} (+{len(keys) - limit} more)' if len(keys) > limit \
        else shown
