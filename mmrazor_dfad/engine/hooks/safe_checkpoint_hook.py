# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import glob
import os
import os.path as osp
import re
from contextlib import contextmanager
from typing import Iterator, List, Tuple

from mmengine.dist import get_rank, get_world_size, is_main_process
from mmengine.hooks import CheckpointHook

from mmrazor_dfad.engine.fileio.atomic_local_backend import TEMPORARY_SUFFIX
from mmrazor_dfad.registry import HOOKS
from mmrazor_dfad.utils.random_states import (capture_random_states,
                                              gather_random_states,
                                              restore_random_states)

# The checkpoint key of every rank's global random states.
RANDOM_STATES_KEY = 'random_states'


class _DeferredRemovals:
    """A file backend whose ``remove``/``rmtree`` only take note.

    Everything else is forwarded to the wrapped backend.
    """

    def __init__(self, backend) -> None:
        self._backend = backend
        self.pending: List[Tuple[str, str]] = []

    def remove(self, filepath) -> None:
        """Queue the removal of a file until the save is complete."""
        self.pending.append(('remove', filepath))

    def rmtree(self, dir_path) -> None:
        """Queue the removal of a folder until the save is complete."""
        self.pending.append(('rmtree', dir_path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """MMEngine's ``CheckpointHook`` that never has fewer checkpoints on disk
    than before a save began.

    MMEngine's hook removes the oldest kept checkpoint (``max_keep_ckpts``)
    and the previous best (``save_best``) *before* writing the new one; a
    crash, a kill or a full disk in between leaves no checkpoint at all when
    ``max_keep_ckpts=1``. This hook takes the same arguments and makes the
    same files, but an old file is removed only once the new checkpoint is
    complete on disk (written, flushed and renamed by the atomic backend)
    and ``last_checkpoint`` names it. A save that fails removes nothing and
    says which checkpoint is still intact. At the start of training it
    removes the temporary files of saves that were killed.

    It also makes resumes exact where MMEngine's are not: every checkpoint
    holds the global random states (Python, NumPy, PyTorch, CUDA) of every
    rank, gathered at the save, and a resumed run restores each rank's own
    before its first iteration, so dropout and other draws from the global
    generators continue as in the uninterrupted run. A validation leaves
    the global random states as it found them, so validating (or not) never
    changes the training. One draw is not covered: when the first resumed
    iteration starts a new pass over the training dataloader, the new
    iterator has drawn its base seed before the states are restored.

    Use it like ``CheckpointHook``, with the atomic backend::

        default_hooks = dict(checkpoint=dict(
            type='SafeCheckpointHook', by_epoch=False, interval=1000,
            max_keep_ckpts=1, backend_args=dict(backend='atomic_local')))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._gathered_states = None  # every rank's, for the next save
        self._states_before_val = None  # this rank's, while validating
        self._resumed_states = None  # (iteration, every rank's states)

    def before_train(self, runner) -> None:
        """Clean what killed saves left behind (main process)."""
        super().before_train(runner)
        if is_main_process():
            self._remove_killed_writes(runner)
            self._remove_orphaned_rotations(runner)

    # Exact resumes: the global random states of every rank

    def _gather_states(self) -> None:
        """Gather every rank's random states for the save that follows (a
        collective: all ranks reach the save methods that call it). Inside
        a validation they are the states it started from, which it gives
        back when it ends."""
        states = self._states_before_val or capture_random_states()
        self._gathered_states = gather_random_states(states)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keep the saved random states for the first resumed iteration.

        Args:
            runner (Runner): The runner.
            checkpoint (dict): The loaded checkpoint.
        """
        states = checkpoint.get(RANDOM_STATES_KEY)
        iteration = checkpoint.get('meta', {}).get('iter')
        self._resumed_states = None if states is None else (iteration, states)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None):
        """On the first iteration of a resumed run, restore this rank's
        random states as they were when the checkpoint was saved."""
        if self._resumed_states is None:
            return
        iteration, states = self._resumed_states
        self._resumed_states = None
        if iteration != runner.iter:
            return  # loaded as weights (load_from), not resumed
        if len(states) != get_world_size():
            runner.logger.warning(
                f'The checkpoint holds the random states of {len(states)} '
                f'processes; this run has {get_world_size()}. The global '
                'random states continue from this run\'s seed: the resumed '
                'run is not bit-equal to an uninterrupted one.')
            return
        restore_random_states(states[get_rank()])

    def before_val(self, runner) -> None:
        """Remember the random states the validation starts from."""
        self._states_before_val = capture_random_states()

    def after_val(self, runner) -> None:
        """Give the training back the random states it had before."""
        if self._states_before_val is not None:
            restore_random_states(self._states_before_val)
            self._states_before_val = None

    def _remove_orphaned_rotations(self, runner) -> None:
        """Finish a rotation a crash interrupted.

        A run killed after its new checkpoint was complete but before the
        oldest was removed leaves one checkpoint too many. Once training has
        resumed from a complete checkpoint, files of this rotation older
        than every kept one are removed, as the rotation would have done.
        """
        kept = list(getattr(self, 'keep_ckpt_ids', []) or [])
        if self.max_keep_ckpts <= 0 or not kept:
            return
        pattern = re.escape(self.filename_tmpl).replace(r'\{\}', r'(\d+)')
        for path in glob.glob(osp.join(str(self.out_dir), '*.pth')):
            match = re.fullmatch(pattern, osp.basename(path))
            if match and int(match.group(1)) < min(kept):
                os.remove(path)
                runner.logger.info(
                    f'Removed {osp.basename(path)}: older than the kept '
                    f'checkpoints (max_keep_ckpts={self.max_keep_ckpts}), '
                    'left by a rotation that was interrupted.')

    def _remove_killed_writes(self, runner) -> None:
        """Delete ``.<name>.<random>.tmp`` leftovers of killed saves.

        Only files that can be the atomic backend's temporaries of this
        folder's checkpoints are touched; the work-dir lock of
        ``tools/train.py`` guarantees no other training writes here.
        """
        if not osp.isdir(str(self.out_dir)):
            return
        pattern = osp.join(str(self.out_dir), f'.*.pth.*{TEMPORARY_SUFFIX}')
        for path in glob.glob(pattern):
            size = osp.getsize(path)
            os.remove(path)
            runner.logger.info(
                f'Removed {osp.basename(path)} ({size} bytes), left by a save '
                'that was interrupted.')

    @contextmanager
    def _removals_after_save(self, runner) -> Iterator[None]:
        """Hold back removals until the save inside succeeded."""
        if isinstance(self.file_backend, _DeferredRemovals):
            yield  # nested: the outer save performs the removals
            return
        backend = self.file_backend
        deferred = _DeferredRemovals(backend)
        self.file_backend = deferred
        try:
            yield
        except OSError as error:
            raise OSError(
                error.errno,
                f'Saving a checkpoint failed ({error.strerror or error}); '
                'nothing was removed: the checkpoints saved before are '
                f'intact ({self._previous_checkpoint(runner)}). Free disk '
                'space (or fix the folder\'s permissions) and resume with '
                '--resume.') from error
        finally:
            self.file_backend = backend
        for operation, path in deferred.pending:
            if operation == 'remove' and backend.isfile(path):
                backend.remove(path)
            elif operation == 'rmtree' and backend.isdir(path):
                backend.rmtree(path)

    @staticmethod
    def _previous_checkpoint(runner) -> str:
        """The checkpoint ``last_checkpoint`` names, else ``''``."""
        pointer = osp.join(runner.work_dir, 'last_checkpoint')
        if osp.isfile(pointer):
            with open(pointer) as file:
                named = file.read().strip()
            if named:
                return f'newest: {named}'
        return 'none was saved yet'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add every rank's random states, and record which score chose the
        best checkpoint.

        With ``save_best``, ``checkpoint['meta']['best_checkpoint']`` holds,
        for each key indicator, the metric, its rule, the best score so far
        and the best checkpoint's name; in the best checkpoint itself that
        is the score that selected it.

        Args:
            runner (Runner): The runner.
            checkpoint (dict): The checkpoint about to be saved.
        """
        if self._gathered_states is not None:
            checkpoint[RANDOM_STATES_KEY] = self._gathered_states
            self._gathered_states = None
        elif get_world_size() == 1:
            checkpoint[RANDOM_STATES_KEY] = [
                self._states_before_val or capture_random_states()
            ]
        if not self.save_best or 'auto' in self.key_indicators:
            return
        hub = runner.message_hub
        selected = []
        for key, rule in zip(self.key_indicators, self.rules):
            suffix = '' if len(self.key_indicators) == 1 else f'_{key}'
            if f'best_score{suffix}' not in hub.runtime_info:
                continue
            selected.append(
                dict(
                    metric=key,
                    rule=rule,
                    score=hub.get_info(f'best_score{suffix}'),
                    checkpoint=osp.basename(
                        str(hub.get_info(f'best_ckpt{suffix}', '')))))
        if selected:
            checkpoint.setdefault('meta', {})['best_checkpoint'] = selected

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        """Save; removals of the rotation wait until the file is complete."""
        self._gather_states()
        try:
            with self._removals_after_save(runner):
                super()._save_checkpoint_with_step(runner, step, meta)
        finally:
            self._gathered_states = None  # never saved with a later one

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """Save the best; the previous best is removed only afterwards."""
        if self.save_best:
            self._gather_states()
        try:
            with self._removals_after_save(runner):
                super()._save_best_checkpoint(runner, metrics)
        finally:
            self._gathered_states = None  # unused when not the best
