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
import pickle
import zipfile
from typing import Dict, Iterator, List, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader


def _numpy_safe_globals() -> List:
    """NumPy types MMEngine's checkpoints pickle (for weights_only loads)."""
    core = getattr(np, '_core', None) or np.core
    dtype_classes = [
        type(np.dtype(name))
        for name in ('float16', 'float32', 'float64', 'int8', 'int16', 'int32',
                     'int64', 'uint8', 'bool')
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
    """Whether ``path`` is a URL rather than a local file."""
    return '://' in path


def checkpoint_file_problem(path: str) -> Optional[str]:
    """Why a local checkpoint file cannot be used, or None if it looks sound.

    Cheap and without unpickling: ``torch.save`` writes a zip archive, so a
    file that is empty, not a zip archive (an HTML error page saved by a
    failed download, a text file) or a zip whose members fail their CRC
    (a truncated or damaged write) is recognised here.

    Args:
        path (str): A local file path.

    Returns:
        str | None: A short description of the damage ("the file is
        empty", ...) or None.
    """
    if not osp.exists(path):
        return 'the file does not exist'
    if not osp.isfile(path):
        return 'it is not a file'
    size = osp.getsize(path)
    if size == 0:
        return 'the file is empty (0 bytes)'
    with open(path, 'rb') as file:
        head = file.read(512)
    if not head.startswith(b'PK'):
        text = head.lstrip().lower()
        if text.startswith((b'<!doctype html', b'<html', b'<?xml', b'<')):
            return ('it is an HTML/XML page, not a checkpoint (a failed '
                    'download saved as .pth?)')
        if head[:1] == b'\x80':
            return ('it is a legacy (non-zip) PyTorch pickle; re-save it '
                    'with torch.save on PyTorch >= 1.6')
        return f'it is not a PyTorch checkpoint ({size} bytes of other data)'
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        return (f'the file is truncated or damaged ({size} bytes; '
                f'{error})')
    if bad_member is not None:
        return f'the file is damaged (member {bad_member} fails its CRC)'
    return None


def load_teacher_weights(teacher: nn.Module, ckpt_path: str,
                         name: str) -> None:
    """Load a teacher checkpoint strictly, with errors that say what to fix.

    The teacher's weights come from ``ckpt_path`` only: checkpoints of the
    algorithm do not carry them (see ``DataFreeDistillation.state_dict``),
    so training, resuming and testing all read this file.

    Args:
        teacher (nn.Module): The built teacher.
        ckpt_path (str): Local path or URL (``http(s)://``, ``s3://``...).
            MMEngine checkpoints (``{'state_dict': ...}``) and bare state
            dicts are accepted; a DDP ``module.`` prefix is removed.
        name (str): The teacher's name in the config, for messages.

    Raises:
        FileNotFoundError: A local ``ckpt_path`` does not exist.
        ValueError: The file is empty, truncated, damaged or not a
            checkpoint, or its shapes do not fit the teacher.
        RuntimeError: A URL could not be fetched or read.
        KeyError: The checkpoint's keys do not fit the teacher.
    """
    where = f"model.teachers['{name}'].ckpt_path"
    fix = (f'Point {where} at the teacher\'s checkpoint (re-copy or '
           're-download it, or retrain it with its config).')
    if not _is_url(ckpt_path):
        if not osp.isfile(ckpt_path):
            raise FileNotFoundError(
                f"Teacher '{name}': checkpoint file '{ckpt_path}' does not "
                f'exist. Fix {where} (a local .pth file or an http(s) URL).')
        problem = checkpoint_file_problem(ckpt_path)
        if problem is not None:
            raise ValueError(
                f"Teacher '{name}': cannot load '{ckpt_path}': {problem}. "
                f'{fix}')
    try:
        with checkpoint_safe_globals():
            checkpoint = CheckpointLoader.load_checkpoint(
                ckpt_path, map_location='cpu')
    except Exception as error:  # the loaders raise many kinds
        if _is_url(ckpt_path):
            raise RuntimeError(
                f"Teacher '{name}': could not download '{ckpt_path}' "
                f'({type(error).__name__}). Download it where you have '
                f'internet and set {where} to the local file.') from error
        # PyTorch's own text advises turning weights_only off, i.e.
        # executing whatever the file contains; it is not repeated here.
        raise ValueError(
            f"Teacher '{name}': '{ckpt_path}' is not a checkpoint this "
            f'package can read ({type(error).__name__}: it holds objects '
            'other than tensors and the plain values MMEngine saves, or '
            f'it is damaged). {fix}') from None
    state_dict: Dict = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else checkpoint
    if not isinstance(state_dict, dict) or not state_dict:
        raise KeyError(f"Teacher '{name}': '{ckpt_path}' holds no weights "
                       f'(found {type(state_dict).__name__}). {fix}')
    if all(key.startswith('module.') for key in state_dict):
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
    """The first ``limit`` keys for a message, with how many more."""
    if not keys:
        return 'none'
    shown = ', '.join(keys[:limit])
    return f'{shown} (+{len(keys) - limit} more)' if len(keys) > limit \
        else shown


def _likely_cause(expected: List[str], found: List[str],
                  checkpoint: str) -> str:
    """Guess why a checkpoint's keys do not fit a model."""
    student_prefix = 'architecture.'
    model_is_dfad = any(k.startswith(student_prefix) for k in expected)
    ckpt_is_dfad = any(k.startswith(student_prefix) for k in found)
    if model_is_dfad and not ckpt_is_dfad:
        exported = {student_prefix + k for k in found}
        if exported & set(expected):
            own_config = osp.splitext(checkpoint)[0] + '.py'
            where = f' ({own_config})' if osp.isfile(own_config) else ''
            return ('This is an exported student (a plain classifier '
                    'checkpoint): test it with the config written next to '
                    f'it{where}, not with the DFAD config.')
        return ('It is not a DataFreeDistillation checkpoint; test it with '
                'the config it was trained with.')
    if ckpt_is_dfad and not model_is_dfad:
        return ('This is a DataFreeDistillation checkpoint: test it with its '
                'DFAD config, or export its student first with '
                'tools/model_converters/export_student.py.')
    return ('It was trained with another architecture (e.g. another '
            'student); use the config it was trained with.')


def load_checkpoint_strictly(model: nn.Module, checkpoint: str) -> Dict:
    """Load weights for evaluation, refusing a checkpoint that does not fit.

    MMEngine loads non-strictly and only warns, so a checkpoint of another
    model is "evaluated" with randomly initialised weights. Here every
    weight of ``model`` must come from ``checkpoint`` with the right shape,
    and the checkpoint may hold nothing else.

    Args:
        model (nn.Module): The model to evaluate (possibly wrapped).
        checkpoint (str): Local path or URL.

    Returns:
        dict: The loaded checkpoint (``meta`` etc.).

    Raises:
        ValueError: The file is damaged, or its weights do not fit; the
            message names the keys and the likely cause.
    """
    from mmengine.model import is_model_wrapper
    from mmengine.runner.checkpoint import load_state_dict
    if not _is_url(checkpoint):
        problem = checkpoint_file_problem(checkpoint)
        if problem is not None:
            raise ValueError(f"Cannot test '{checkpoint}': {problem}.")
    with checkpoint_safe_globals():
        loaded = CheckpointLoader.load_checkpoint(
            checkpoint, map_location='cpu')
    state_dict = loaded.get('state_dict', loaded) if isinstance(
        loaded, dict) else loaded
    if not isinstance(state_dict, dict):
        raise ValueError(f"Cannot test '{checkpoint}': it holds no state "
                         f'dict (found {type(state_dict).__name__}).')
    state_dict = {
        key[len('module.'):] if key.startswith('module.') else key: value
        for key, value in state_dict.items()
    }
    if is_model_wrapper(model):
        model = model.module
    # Old checkpoints of the algorithm carried the teachers too; the
    # teachers come from their own files.
    expected = model.state_dict()
    found = [k for k in state_dict if not k.startswith('teachers.')]
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    if missing or unexpected:
        raise ValueError(
            f"'{checkpoint}' does not fit the model of this config: "
            f'{len(missing)} of its {len(expected)} weights are missing '
            f'({_preview(missing)}), {len(unexpected)} unexpected '
            f'({_preview(unexpected)}). '
            f'{_likely_cause(list(expected), found, checkpoint)}')
    mismatched = [
        f'{key} {tuple(state_dict[key].shape)} vs '
        f'{tuple(value.shape)}' for key, value in expected.items()
        if hasattr(state_dict[key], 'shape')
        and tuple(state_dict[key].shape) != tuple(value.shape)
    ]
    if mismatched:
        raise ValueError(
            f"'{checkpoint}' does not fit the model of this config: shapes "
            f'differ for {_preview(mismatched)} (checkpoint vs model). '
            f'{_likely_cause([], [], checkpoint)}')
    load_state_dict(model, {k: state_dict[k] for k in found}, strict=True)
    return loaded


def find_best_checkpoint(work_dir: str) -> Dict:
    """The checkpoint a ``CheckpointHook(save_best=...)`` kept in a work dir.

    Args:
        work_dir (str): The training's work dir.

    Returns:
        dict: ``path`` of the ``best_*.pth`` file and ``selected_by``, the
        list of ``dict(metric, rule, score, checkpoint)`` recorded by
        :class:`SafeCheckpointHook` in its meta (empty for checkpoints of
        other hooks).

    Raises:
        FileNotFoundError: No best checkpoint, or more than one (several
            ``save_best`` keys: pass the checkpoint itself).
    """
    import glob
    found = sorted(glob.glob(osp.join(work_dir, 'best_*.pth')))
    if len(found) != 1:
        raise FileNotFoundError(
            f'{len(found)} best checkpoints (best_*.pth) in {work_dir}'
            f'{": " + ", ".join(map(osp.basename, found)) if found else ""}; '
            'train with default_hooks.checkpoint.save_best=METRIC (one '
            'metric), or name the checkpoint instead.')
    with checkpoint_safe_globals():
        meta = CheckpointLoader.load_checkpoint(
            found[0], map_location='cpu').get('meta', {})
    return dict(path=found[0], selected_by=meta.get('best_checkpoint', []))
