# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Faults injected into a training.

:func:`injected` installs a fault for the time of a ``with`` block (a
training that a fault kills runs in a fresh process:
:mod:`mmrazor_dfad.testing._internal.fresh_process`); importing this module
patches and registers nothing. From the shell::

    python -m mmrazor_dfad.testing._internal.fault_injection \
        FAULT NUMBER -- TRAIN_ARGS

FAULT is one of (NUMBER counts the ``.pth`` saves of the run, 1 = the
first, unless said otherwise):

- ``none``: no fault.
- ``kill-write``: SIGKILL while the checkpoint is being written (after its
  bytes reached the temporary file, before it is flushed and renamed).
- ``kill-rename``: SIGKILL right after the rename, before
  ``last_checkpoint`` is updated or anything is removed.
- ``kill-pointer``: SIGKILL after ``last_checkpoint`` was truncated, before
  the new path is written into it.
- ``kill-remove``: SIGKILL when the first old checkpoint is removed.
- ``kill-after-iter``: SIGKILL after iteration NUMBER (between saves).
- ``disk-full``: the write of the checkpoint fails with ENOSPC.
- ``explode``: the student learning rate is multiplied by 1e6 from the
  iteration NUMBER on (a run that diverges).
- ``stop-rank1``: rank 1 stops itself (SIGSTOP) after iteration NUMBER,
  like a hung process.
"""
import builtins
import contextlib
import errno
import os
import signal
import sys
from typing import Any, Iterator, List, Optional

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

FAULTS = ('none', 'kill-write', 'kill-rename', 'kill-pointer', 'kill-remove',
          'kill-after-iter', 'disk-full', 'explode', 'stop-rank1')
_HOOK_FAULTS = ('kill-after-iter', 'explode', 'stop-rank1')
_MISSING = object()


def _die() -> None:
    """SIGKILL this process: no cleanup, no ``finally``."""
    os.kill(os.getpid(), signal.SIGKILL)


class FaultInjectionHook(Hook):
    """The faults of :func:`injected` that happen at an iteration
    (registered in MMEngine's ``HOOKS`` only inside :func:`injected`).

    Args:
        fault (str): ``kill-after-iter``, ``explode`` or ``stop-rank1``.
        number (int): The iteration (1 = the first).
    """

    priority = 'VERY_LOW'

    def __init__(self, fault: str, number: int) -> None:
        self.fault = fault
        self.number = number

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        """``explode``: multiply the student learning rate by 1e6."""
        if self.fault == 'explode' and runner.iter + 1 == self.number:
            wrapper = runner.optim_wrapper['architecture']
            for group in wrapper.optimizer.param_groups:
                group['lr'] *= 1e6

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        """``kill-after-iter``: SIGKILL; ``stop-rank1``: SIGSTOP rank 1."""
        if runner.iter + 1 != self.number:
            return
        if self.fault == 'kill-after-iter':
            _die()
        elif self.fault == 'stop-rank1' and runner.rank == 1:
            os.kill(os.getpid(), signal.SIGSTOP)


def _patch(stack: contextlib.ExitStack, owner: Any, name: str,
           value: Any) -> Any:
    """Set ``owner.name`` to ``value`` until ``stack`` closes; return the
    attribute it replaced (looked up normally, so inherited ones too)."""
    own = vars(owner).get(name, _MISSING)
    replaced = getattr(owner, name, None)

    def restore() -> None:
        if own is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, own)

    setattr(owner, name, value)
    stack.callback(restore)
    return replaced


def _register(stack: contextlib.ExitStack) -> None:
    """Register :class:`FaultInjectionHook` in MMEngine's root ``HOOKS``
    until ``stack`` closes (then the entry it replaced, if any, is back)."""
    name = FaultInjectionHook.__name__
    replaced = HOOKS.module_dict.get(name, _MISSING)

    def restore() -> None:
        if replaced is _MISSING:
            HOOKS.module_dict.pop(name, None)
        else:
            HOOKS.module_dict[name] = replaced

    HOOKS.register_module(module=FaultInjectionHook, force=True)
    stack.callback(restore)


@contextlib.contextmanager
def injected(fault: str, number: int) -> Iterator[None]:
    """Install ``fault`` (one of :data:`FAULTS`) for the ``with`` block.

    Args:
        fault (str): What goes wrong (see the module's docstring).
        number (int): At which save (or iteration) it goes wrong.
    """
    if fault not in FAULTS:
        raise ValueError(f'unknown fault {fault!r}; one of {FAULTS}')
    from mmengine.fileio import LocalBackend
    from mmengine.hooks import checkpoint_hook
    from mmengine.runner import Runner

    from mmrazor_dfad.engine.fileio import atomic_local_backend
    saves = {'count': 0}

    def armed() -> bool:
        return saves['count'] == number

    with contextlib.ExitStack() as stack:
        backend_cls = atomic_local_backend.AtomicLocalBackend
        original_put = backend_cls.put

        def counting_put(self, obj, filepath):
            if str(filepath).endswith('.pth'):
                saves['count'] += 1
            return original_put(self, obj, filepath)

        _patch(stack, backend_cls, 'put', counting_put)

        if fault in ('kill-write', 'disk-full'):
            original_fsync = os.fsync

            def fsync(fd):
                if armed():
                    if fault == 'kill-write':
                        _die()
                    raise OSError(errno.ENOSPC, 'No space left on device')
                return original_fsync(fd)

            _patch(stack, atomic_local_backend.os, 'fsync', fsync)
        elif fault == 'kill-rename':
            original_folder_sync = atomic_local_backend._fsync_folder

            def folder_sync(folder):
                if armed():
                    _die()
                return original_folder_sync(folder)

            _patch(stack, atomic_local_backend, '_fsync_folder', folder_sync)
        elif fault == 'kill-pointer':

            def pointer_open(path, mode='r', *args, **kwargs):
                handle = builtins.open(path, mode, *args, **kwargs)
                if armed() and str(path).endswith('last_checkpoint') \
                        and 'w' in mode:
                    _die()
                return handle

            _patch(stack, checkpoint_hook, 'open', pointer_open)
        elif fault == 'kill-remove':
            original_remove = LocalBackend.remove

            def remove(self, filepath):
                if armed():
                    _die()
                return original_remove(self, filepath)

            _patch(stack, LocalBackend, 'remove', remove)
        elif fault in _HOOK_FAULTS:
            _register(stack)
            original_from_cfg = Runner.from_cfg.__func__

            def from_cfg(cls, cfg):
                cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
                    dict(
                        type='FaultInjectionHook',
                        _scope_='mmengine',
                        fault=fault,
                        number=number)
                ]
                return original_from_cfg(cls, cfg)

            _patch(stack, Runner, 'from_cfg', classmethod(from_cfg))
        yield


def main(argv: Optional[List[str]] = None) -> None:
    """``FAULT NUMBER -- TRAIN_ARGS``: train in this process with FAULT."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 3 or '--' not in argv:
        raise SystemExit(__doc__)
    fault, number = argv[0], int(argv[1])
    from mmrazor_dfad.apis import train as train_tool
    with injected(fault, number):
        train_tool.main(argv[argv.index('--') + 1:])


if __name__ == '__main__':
    main()
