# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import glob
import os
import os.path as osp
import re
import tempfile
import zipfile
from typing import Optional


def resolve_work_dir(cfg, config_path: str,
                     work_dir: Optional[str] = None) -> str:
    """The work dir by MMEngine's precedence: ``--work-dir``, then the
    config's ``work_dir``, then ``./work_dirs/<config name>``.

    Args:
        cfg (Config): The loaded config (updated in place).
        config_path (str): Path of the config file.
        work_dir (str, optional): The ``--work-dir`` argument.

    Returns:
        str: The chosen work dir, also stored as ``cfg.work_dir``.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])
    return cfg.work_dir


def ensure_writable_dir(path: str, option: str = 'work_dir') -> None:
    """Fail now, not after hours of training, if ``path`` is not writable.

    Args:
        path (str): The folder logs and checkpoints go to.
        option (str): How the user sets it, for the message.

    Raises:
        PermissionError: ``path`` cannot be created or written.
    """
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix='.write_test'):
            pass
    except OSError as error:
        raise PermissionError(
            f"Work dir '{path}' is not writable ({error.strerror or error}). "
            f'Choose a writable folder with {option} DIR.') from error


def _is_complete(path: str) -> bool:
    # torch.save writes a zip archive; a truncated one has no central
    # directory and fails this check.
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint in ``work_dir``, or None.

    ``last_checkpoint`` is tried first; if it is missing, empty or names a
    damaged file (a crash during a save), the newest complete ``iter_*.pth``
    or ``epoch_*.pth`` is used.

    Args:
        work_dir (str): The training's work dir.

    Returns:
        str | None: Path of the checkpoint to resume from.
    """
    candidates = []
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as file:
            named = file.read().strip()
        if named:
            candidates.append(named)

    def step(path: str) -> int:
        match = re.search(r'_(\d+)\.pth$', path)
        return int(match.group(1)) if match else -1

    candidates += sorted(
        glob.glob(osp.join(work_dir, 'iter_*.pth')) +
        glob.glob(osp.join(work_dir, 'epoch_*.pth')),
        key=step,
        reverse=True)
    for path in candidates:
        if osp.isfile(path) and _is_complete(path):
            return path
    return None
