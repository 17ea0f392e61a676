# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

TEMPORARY_SUFFIX = '.tmp'


def temporary_prefix(filepath: Union[str, Path]) -> str:
    """Name prefix of the temporary files of writes to ``filepath``."""
    return f'.{osp.basename(str(filepath))}.'


def current_umask() -> int:
    """The process umask, read without changing it where possible."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicLocalBackend(LocalBackend):
    """Local storage whose writes are atomic: all or nothing.

    Data goes to a temporary file in the same folder
    (``.<name>.<random>.tmp``), is flushed to disk, and replaces the target
    with ``os.replace``; the folder entry is then flushed too. A crash or
    ``kill -9`` during a checkpoint save leaves the previous file (and every
    other checkpoint) intact instead of a truncated one; the temporary file
    a killed write leaves behind is removed by
    :class:`~mmrazor_dfad.engine.hooks.SafeCheckpointHook` at the next start.
    Files get the permissions of an ordinary ``open(..., 'wb')`` (``0666``
    minus the umask). Select it with
    ``default_hooks.checkpoint.backend_args=dict(backend='atomic_local')``.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` atomically."""
        filepath = str(filepath)
        folder = osp.dirname(osp.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        handle, tmp_path = tempfile.mkstemp(
            dir=folder,
            prefix=temporary_prefix(filepath),
            suffix=TEMPORARY_SUFFIX)
        try:
            # mkstemp creates 0600 files; others on a shared disk should
            # read checkpoints as they read any file this user writes.
            os.fchmod(handle, 0o666 & ~current_umask())
            with os.fdopen(handle, 'wb') as file:
                file.write(obj)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp_path, filepath)
            _fsync_folder(folder)
        except BaseException:
            if osp.exists(tmp_path):
                os.remove(tmp_path)
            raise

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Write text to ``filepath`` atomically."""
        self.put(obj.encode(encoding), filepath)


def _fsync_folder(folder: str) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be
    opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


register_backend('atomic_local', AtomicLocalBackend, force=True)
