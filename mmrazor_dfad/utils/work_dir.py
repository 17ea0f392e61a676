# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import glob
import os
import os.path as osp
import re
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from .checkpoint import checkpoint_file_problem

try:
    import fcntl
except ImportError:  # not POSIX: no work-dir lock
    fcntl = None


def resolve_work_dir(cfg,
                     config_path: str,
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


@dataclass
class ResumeSearch:
    """What ``--resume`` found in a work dir.

    Attributes:
        work_dir (str): The folder searched.
        path (str | None): The newest complete checkpoint, or None.
        skipped (list[tuple[str, str]]): Newer checkpoints passed over, each
            with the reason (``'the file is empty (0 bytes)'``...).
        exists (bool): Whether ``work_dir`` exists at all.
    """
    work_dir: str
    path: Optional[str] = None
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    exists: bool = True

    def describe_failure(self) -> str:
        """One message: what was found, and the two ways forward."""
        if not self.exists:
            found = f"the work dir '{self.work_dir}' does not exist " \
                '(mistyped --work-dir?)'
        elif not self.skipped:
            found = f"no checkpoint in '{self.work_dir}'"
        else:
            found = f"no complete checkpoint in '{self.work_dir}' (" + \
                '; '.join(f'{osp.basename(path)}: {reason}'
                          for path, reason in self.skipped) + ')'
        return (f'--resume found {found}. To start from scratch, run without '
                '--resume (or with --resume-if-any); to resume from a '
                'specific file, pass --resume PATH.')


def _checkpoint_step(path: str) -> int:
    """The step in ``iter_N.pth`` / ``epoch_N.pth``; -1 for other names."""
    match = re.search(r'_(\d+)\.pth$', path)
    return int(match.group(1)) if match else -1


def search_resumable_checkpoint(work_dir: str) -> ResumeSearch:
    """Find the newest complete checkpoint in ``work_dir``.

    Candidates are ``iter_*.pth`` / ``epoch_*.pth`` and the file named by
    ``last_checkpoint``, newest step first. A candidate that is missing,
    empty, truncated or otherwise damaged (a crash during a save, a full
    disk) is skipped and reported. The newest complete file wins even when
    ``last_checkpoint`` names an older one (a kill between the checkpoint's
    rename and the pointer's update).

    Args:
        work_dir (str): The training's work dir.

    Returns:
        ResumeSearch: The chosen path (or None) and what was skipped.
    """
    search = ResumeSearch(work_dir=work_dir, exists=osp.isdir(work_dir))
    if not search.exists:
        return search
    candidates = glob.glob(osp.join(work_dir, 'iter_*.pth')) + glob.glob(
        osp.join(work_dir, 'epoch_*.pth'))
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as file:
            named = file.read().strip()
        if named and osp.abspath(named) not in map(osp.abspath, candidates):
            candidates.append(named)
    for path in sorted(candidates, key=_checkpoint_step, reverse=True):
        problem = checkpoint_file_problem(path)
        if problem is None:
            search.path = path
            return search
        search.skipped.append((path, problem))
    return search


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint in ``work_dir``, or None.

    See :func:`search_resumable_checkpoint`.

    Args:
        work_dir (str): The training's work dir.

    Returns:
        str | None: Path of the checkpoint to resume from.
    """
    return search_resumable_checkpoint(work_dir).path


class WorkDirInUseError(RuntimeError):
    """Another training holds the work dir."""


class WorkDirLock:
    """An exclusive lock on a work dir for the lifetime of a training.

    It is an advisory ``flock`` on ``<work_dir>/.train.lock``, held by the
    operating system for this process: it disappears when the process ends
    in any way (``kill -9`` included), so a crashed run never leaves a
    stale lock behind. The file records who holds it, for the message a
    second training meets. On systems without ``fcntl`` it does nothing.

    Args:
        work_dir (str): The work dir to lock.
    """

    FILENAME = '.train.lock'

    def __init__(self, work_dir: str) -> None:
        self.work_dir = work_dir
        self.path = osp.join(work_dir, self.FILENAME)
        self._fd: Optional[int] = None

    def acquire(self) -> 'WorkDirLock':
        """Take the lock or fail at once.

        Returns:
            WorkDirLock: ``self``.

        Raises:
            WorkDirInUseError: Another process holds the lock; the message
                names it.
        """
        if fcntl is None or self._fd is not None:
            return self
        os.makedirs(self.work_dir, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.pread(fd, 4096, 0).decode(errors='replace').strip()
            os.close(fd)
            raise WorkDirInUseError(
                f"Work dir '{self.work_dir}' is in use by another training "
                f"({owner or 'owner unknown'}); two trainings would "
                'overwrite each other\'s checkpoints. Wait for it to finish, '
                'stop it, or choose another --work-dir.') from None
        owner = (f'pid {os.getpid()} on {socket.gethostname()}, since '
                 f"{time.strftime('%Y-%m-%d %H:%M:%S')}: "
                 f"{' '.join(sys.argv)}")
        os.ftruncate(fd, 0)
        os.pwrite(fd, owner.encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock (also done by the OS when the process ends)."""
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> 'WorkDirLock':
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()
