# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Run ``tools/train.py`` in a subprocess with one fault injected.

    python tests/fault_injection.py FAULT SAVE_NUMBER -- TRAIN_ARGS...

FAULT is one of:

- ``none``: no fault.
- ``kill-write``: SIGKILL while the checkpoint is being written (after its
  bytes reached the temporary file, before it is flushed and renamed).
- ``kill-rename``: SIGKILL right after the rename, before
  ``last_checkpoint`` is updated or anything is removed.
- ``kill-pointer``: SIGKILL after ``last_checkpoint`` was truncated, before
  the new path is written into it.
- ``kill-remove``: SIGKILL when the first old checkpoint is removed.
- ``disk-full``: the write of the checkpoint fails with ENOSPC.
- ``explode``: the student learning rate is multiplied by 1e6 from the
  iteration SAVE_NUMBER on (a run that diverges).
- ``stop-rank1``: rank 1 stops itself (SIGSTOP) after iteration
  SAVE_NUMBER, like a hung process.

SAVE_NUMBER counts the ``.pth`` saves of the run (1 = the first).
"""
import errno
import os
import os.path as osp
import runpy
import signal
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def main() -> None:
    fault, number = sys.argv[1], int(sys.argv[2])
    train_args = sys.argv[sys.argv.index('--') + 1:]
    saves = {'count': 0}

    def armed() -> bool:
        return saves['count'] == number

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    from mmrazor_dfad.engine.fileio import atomic_local_backend
    backend_cls = atomic_local_backend.AtomicLocalBackend
    original_put = backend_cls.put

    def counting_put(self, obj, filepath):
        if str(filepath).endswith('.pth'):
            saves['count'] += 1
        return original_put(self, obj, filepath)

    backend_cls.put = counting_put

    if fault in ('kill-write', 'disk-full'):
        original_fsync = os.fsync

        def fsync(fd):
            if armed():
                if fault == 'kill-write':
                    die()
                raise OSError(errno.ENOSPC, 'No space left on device')
            return original_fsync(fd)

        atomic_local_backend.os.fsync = fsync
    elif fault == 'kill-rename':
        original_folder_sync = atomic_local_backend._fsync_folder

        def folder_sync(folder):
            if armed():
                die()
            return original_folder_sync(folder)

        atomic_local_backend._fsync_folder = folder_sync
    elif fault == 'kill-pointer':
        import builtins

        import mmengine.hooks.checkpoint_hook as checkpoint_hook

        def pointer_open(path, mode='r', *args, **kwargs):
            handle = builtins.open(path, mode, *args, **kwargs)
            if armed() and str(path).endswith('last_checkpoint') \
                    and 'w' in mode:
                die()
            return handle

        checkpoint_hook.open = pointer_open
    elif fault == 'kill-remove':
        from mmengine.fileio import LocalBackend
        original_remove = LocalBackend.remove

        def remove(self, filepath):
            if armed():
                die()
            return original_remove(self, filepath)

        LocalBackend.remove = remove
    elif fault in ('explode', 'stop-rank1'):
        from mmengine.hooks import Hook
        from mmengine.registry import HOOKS

        @HOOKS.register_module()
        class InjectFault(Hook):

            def before_train_iter(self, runner, batch_idx, data_batch=None):
                if fault == 'explode' and runner.iter + 1 == number:
                    wrapper = runner.optim_wrapper['architecture']
                    for group in wrapper.optimizer.param_groups:
                        group['lr'] *= 1e6

            def after_train_iter(self,
                                 runner,
                                 batch_idx,
                                 data_batch=None,
                                 outputs=None):
                if fault == 'stop-rank1' and runner.iter + 1 == number \
                        and runner.rank == 1:
                    os.kill(os.getpid(), signal.SIGSTOP)

        from mmengine.runner import Runner
        original_from_cfg = Runner.from_cfg.__func__

        def from_cfg(cls, cfg):
            cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
                dict(type='InjectFault', _scope_='mmengine')
            ]
            return original_from_cfg(cls, cfg)

        Runner.from_cfg = classmethod(from_cfg)
    elif fault != 'none':
        raise SystemExit(f'unknown fault {fault!r}')

    sys.argv = [osp.join(REPO_ROOT, 'tools', 'train.py'), *train_args]
    runpy.run_path(sys.argv[0], run_name='__main__')


if __name__ == '__main__':
    main()
