# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import LoggerHook

from mmrazor_dfad.registry import HOOKS


@HOOKS.register_module()
class RankZeroLoggerHook(LoggerHook):
    """MMEngine's ``LoggerHook``, except that after testing only the main
    process writes the metrics to ``<timestamp>.json``.

    MMEngine 0.10's ``LoggerHook.after_test_epoch`` writes that file on
    every rank, into the same path, so a distributed test can leave two
    JSON documents interleaved on one line. ``tools/test.py`` uses this
    hook when it runs distributed.
    """

    def after_test_epoch(self,
                         runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        """Log the test metrics on every rank; write the JSON on rank 0."""
        if is_main_process():
            super().after_test_epoch(runner, metrics)
            return
        _, log_str = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), 'test', with_non_scalar=True)
        runner.logger.info(log_str)
