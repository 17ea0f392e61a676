# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional, Set

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmrazor_dfad.registry import HOOKS


@HOOKS.register_module()
class DropStaleLogsHook(Hook):
    """Keep the training log to the values the last iteration computed.

    MMEngine's log shows every scalar it was ever given, averaged over its
    window, even when no new value arrives. A DFAD generator update that is
    skipped (its learning rate is 0) computes no loss, so the log would
    keep showing its last losses as if current. This hook removes each
    training output that an earlier iteration returned and the last one did
    not, and says so once per key until it returns. ``tools/train.py`` adds
    it to every run.

    It runs after MMEngine's ``RuntimeInfoHook`` (which stores the outputs)
    and before the ``LoggerHook`` (which prints them).
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self) -> None:
        self._seen: Set[str] = set()
        self._dropped: Set[str] = set()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[Dict] = None) -> None:
        """Drop the outputs of earlier iterations missing from this one."""
        current = set(outputs or {})
        stale = sorted(self._seen - current)
        self._seen |= current
        self._dropped -= current
        if not stale:
            return
        log_scalars = runner.message_hub.log_scalars
        for key in stale:
            log_scalars.pop(f'train/{key}', None)
        newly_dropped = [key for key in stale if key not in self._dropped]
        self._dropped.update(stale)
        if newly_dropped:
            print_log(
                f'Iteration {runner.iter + 1}: {", ".join(newly_dropped)} '
                'were not computed (e.g. generator updates are skipped '
                'while its learning rate is 0; '
                'optim_wrapper.skip_generator_at_zero_lr=False runs them), '
                'so they leave the log until computed again.',
                logger='current')
