# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from mmengine.hooks import EarlyStoppingHook

from mmrazor_dfad.registry import HOOKS


@HOOKS.register_module()
class LabelFreeEarlyStoppingHook(EarlyStoppingHook):
    """MMEngine's ``EarlyStoppingHook`` with a log line that says why.

    Same arguments and the same decision as MMEngine 0.10.7's hook (which
    works with ``IterBasedTrainLoop`` and :class:`DataFreeValLoop`), but
    ``monitor`` has no default rule for label-free keys, so ``rule`` is
    required unless the key names one, and when training stops the log says
    which metric, its best value and iteration, the patience and the
    current iteration: ``Early stopping at iter N of M: <monitor> has not
    improved by more than <min_delta> for <k> validations (best <score> at
    iter <i>, now <score>; patience=<k>).``

    Args:
        monitor (str): The metric, e.g. ``'label_free/agreement'``.
        rule (str, optional): ``'greater'`` or ``'less'``.
        min_delta (float): Smallest change that counts as an improvement.
            Defaults to 0.1.
        patience (int): Validations without improvement before stopping.
            Defaults to 5.
        **kwargs: ``strict``, ``check_finite``, ``stopping_threshold`` of
            ``EarlyStoppingHook``.
    """

    def __init__(self,
                 monitor: str,
                 rule=None,
                 min_delta: float = 0.1,
                 patience: int = 5,
                 **kwargs) -> None:
        super().__init__(
            monitor,
            rule=rule,
            min_delta=min_delta,
            patience=patience,
            **kwargs)
        self.best_iter = None

    def after_val_epoch(self, runner, metrics) -> None:
        """Decide whether to stop; log why when stopping.

        Args:
            runner (Runner): The runner.
            metrics (dict): The metrics of this validation.
        """
        if self.monitor not in metrics:
            return super().after_val_epoch(runner, metrics)
        previous_best = self.best_score
        current = metrics[self.monitor]
        stop, message = self._check_stop_condition(current)
        if self.best_score != previous_best:
            self.best_iter = runner.iter
        runner.message_hub.update_info(
            'early_stopping',
            dict(
                monitor=self.monitor,
                best_score=self.best_score,
                best_iter=self.best_iter,
                wait_count=self.wait_count))
        if not stop:
            return
        runner.train_loop.stop_training = True
        if self.wait_count >= self.patience:
            message = (
                f'{self.monitor} has not improved by more than '
                f'{abs(self.min_delta)} for {self.wait_count} validations '
                f'(best {self.best_score:.4f} at iter {self.best_iter}, now '
                f'{current:.4f}; patience={self.patience}).')
        runner.logger.info(f'Early stopping at iter {runner.iter} of '
                           f'{runner.max_iters}: {message}')
