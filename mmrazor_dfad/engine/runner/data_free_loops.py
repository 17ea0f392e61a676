# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, List, Optional, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.runner import TestLoop, ValLoop, autocast
from torch.utils.data import DataLoader

from mmrazor_dfad.registry import LOOPS


def mean_losses(losses: Dict, stage: str) -> Dict[str, float]:
    """The mean of each loss over the epoch, and their sum as
    ``'<stage>_loss'`` (what MMEngine's loops report).

    Args:
        losses (dict[str, HistoryBuffer]): The loop's loss buffers.
        stage (str): ``'val'`` or ``'test'``.

    Returns:
        dict[str, float]: The means and their sum.
    """
    means = {name: buffer.mean() for name, buffer in losses.items()}
    means[f'{stage}_loss'] = sum(value for name, value in means.items()
                                 if 'loss' in name)
    return means


class _LabelFreeMixin:
    """The extra evaluation on banks of generated images shared by the
    validation and test loops."""

    def _build_label_free(self, label_free: Union[Dict, List[Dict],
                                                  None]) -> None:
        self.label_free_sources: List = []
        if label_free is None:
            return
        for source in (label_free if isinstance(label_free,
                                                (list,
                                                 tuple)) else [label_free]):
            if not isinstance(
                    source,
                    dict) or set(source) != {'dataloader', 'evaluator'}:
                raise TypeError(
                    f'{type(self).__name__}: label_free must be dict('
                    "dataloader=dict(dataset=dict(type='GeneratedBankDataset'"
                    "), ...), evaluator=dict(type='TeacherStudentMetric', "
                    "prefix='label_free')) or a list of them, got "
                    f'{source!r}.')
            dataloader = source['dataloader']
            if isinstance(dataloader, dict):
                # Seeded like the runner's own loaders (a bank does not
                # depend on it: its latents are seeded per index).
                dataloader = self.runner.build_dataloader(
                    dataloader, seed=self.runner.seed)
            evaluator = source['evaluator']
            if not isinstance(evaluator, Evaluator):
                evaluator = self.runner.build_evaluator(evaluator)
            if hasattr(dataloader.dataset, 'metainfo'):
                evaluator.dataset_meta = dataloader.dataset.metainfo
            self.label_free_sources.append((dataloader, evaluator))

    @torch.no_grad()
    def _evaluate_label_free(self, metrics: Dict) -> Dict:
        """Add each bank's metrics to ``metrics`` (keys must not clash)."""
        for dataloader, evaluator in self.label_free_sources:
            for data_batch in dataloader:
                with autocast(enabled=self.fp16):
                    outputs = self.runner.model.val_step(data_batch)
                evaluator.process(data_samples=outputs, data_batch=data_batch)
            extra = evaluator.evaluate(len(dataloader.dataset))
            clash = set(extra) & set(metrics)
            if clash:
                raise KeyError(
                    f'{type(self).__name__}: the label-free metrics '
                    f'{sorted(clash)} have the names of metrics already '
                    'computed; give each label-free evaluator its own prefix '
                    "(e.g. prefix='label_free').")
            metrics.update(extra)
        return metrics

    def _run_stage(self, stage: str, losses: Dict) -> Dict:
        """MMEngine's validation / test epoch with the banks' metrics added
        to the main dataloader's before the ``after_*_epoch`` hooks.

        Args:
            stage (str): ``'val'`` or ``'test'`` (names the hooks and the
                loss prefix).
            losses (dict): The loop's loss buffer (``val_loss`` /
                ``test_loss``).

        Returns:
            dict: The metrics of the dataloader and of every bank.
        """
        self.runner.call_hook(f'before_{stage}')
        self.runner.call_hook(f'before_{stage}_epoch')
        self.runner.model.eval()
        losses.clear()
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        if losses:
            metrics.update(mean_losses(losses, stage))
        metrics = self._evaluate_label_free(metrics)
        self.runner.call_hook(f'after_{stage}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{stage}')
        return metrics


@LOOPS.register_module()
class DataFreeValLoop(_LabelFreeMixin, ValLoop):
    """Validation of data-free distillation: real data, a generated bank, or
    both, in one validation.

    Like MMRazor's ``SingleTeacherDistillValLoop`` it evaluates the teacher
    with the student, but in one pass: ``DataFreeDistillation.val_step``
    returns the student's predictions and both networks' logits, so one
    evaluator gives the student's top-k (MMCls's ``Accuracy``) and the
    teacher's top-1 and the agreement (``TeacherStudentMetric``).

    The main ``dataloader`` / ``evaluator`` are the runner's
    ``val_dataloader`` / ``val_evaluator``: the real validation set, or,
    with no real data at all, a :class:`GeneratedBankDataset`. ``label_free``
    adds generated banks, evaluated after it, whose metrics are
    logged with the others (so real-data runs log the label-free signals
    too). Hooks see one validation with the merged metrics, so
    ``CheckpointHook(save_best=...)`` and early stopping can use any of them.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The main validation dataloader.
        evaluator (Evaluator | dict | list): Its metrics.
        label_free (dict | list[dict], optional): ``dict(dataloader=...,
            evaluator=...)`` of a generated bank, or a list of them, each
            evaluator with its own prefix. Defaults to None.
        fp16 (bool): Validate under autocast. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 label_free: Optional[Dict] = None,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self._build_label_free(label_free)

    def run(self) -> Dict:
        """Validate on the main dataloader, then on the bank.

        Returns:
            dict: The metrics of both.
        """
        return self._run_stage('val', self.val_loss)


@LOOPS.register_module()
class DataFreeTestLoop(_LabelFreeMixin, TestLoop):
    """The test counterpart of :class:`DataFreeValLoop` (same arguments)."""

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 label_free: Optional[Dict] = None,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self._build_label_free(label_free)

    def run(self) -> Dict:
        """Test on the main dataloader, then on the bank.

        Returns:
            dict: The metrics of both.
        """
        return self._run_stage('test', self.test_loss)
