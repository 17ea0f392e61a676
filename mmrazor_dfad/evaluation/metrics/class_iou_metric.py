# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.logging import MMLogger, print_log

from mmrazor_dfad.registry import METRICS
from .seg_teacher_student_metric import confusion

try:
    from mmseg.evaluation import IoUMetric
except ImportError:  # MMSegmentation is an extra
    IoUMetric = object


def metric_key(class_name: str) -> str:
    """``class_name`` as a metric key: ``'T-shirt/top'`` -> ``'T_shirt_top'``
    (log scalars and JSON keys without separators)."""
    return re.sub(r'\W+', '_', class_name).strip('_')


def merge_confusion(
        matrix: torch.Tensor, classes: Sequence[str],
        merges: Dict[str, Sequence[str]]) -> Tuple[torch.Tensor, List[str]]:
    """A confusion matrix with groups of classes merged into one.

    Each group takes the place of its first member, under its new name; the
    other classes keep their order.

    Args:
        matrix (torch.Tensor): Shape ``(C, C)``, ``[label, prediction]``.
        classes (Sequence[str]): The ``C`` class names.
        merges (dict[str, Sequence[str]]): New name to the classes it merges.

    Returns:
        tuple: The ``(K, K)`` matrix and the ``K`` class names.
    """
    target = list(range(len(classes)))
    names = list(classes)
    for new_name, members in merges.items():
        unknown = [name for name in members if name not in classes]
        if unknown or len(members) < 2:
            raise ValueError(
                f'ClassIoUMetric: class_merges[{new_name!r}] must name two or '
                f'more classes of the dataset; {unknown or list(members)} '
                f'is not that. The dataset\'s classes are {list(classes)}.')
        first = classes.index(members[0])
        names[first] = new_name
        for name in members:
            target[classes.index(name)] = first
    kept = sorted(set(target))
    position = {index: rank for rank, index in enumerate(kept)}
    mapping = torch.tensor([position[index] for index in target])
    merged = torch.zeros(len(kept), len(kept), dtype=matrix.dtype)
    merged.index_put_(
        (mapping[:,
                 None].expand_as(matrix), mapping[None, :].expand_as(matrix)),
        matrix,
        accumulate=True)
    return merged, [names[index] for index in kept]


class ClassIoUMetric(IoUMetric):
    """MMSeg's ``IoUMetric`` whose results also hold each class's IoU and
    the mean IoU over named subsets of classes, so they reach the logs, the
    ``scalars.json`` and the records (``IoUMetric`` only prints its
    per-class table), optionally over merged classes.

    Adds, in percent:

    - ``IoU_<class>`` for each class (``metric_key`` of its name), NaN where
      the class is in neither prediction nor label;
    - ``mIoU_<subset>`` for each of ``class_subsets``: the mean over its
      classes with a union, as ``mIoU`` is over all (e.g. ``things``: a
      student that predicts only the large stuff classes scores 0 there);
    - with ``class_merges``: every metric is over the merged classes (label
      and prediction both mapped), and ``mIoU_unmerged`` is the mIoU over
      the dataset's own classes.

    Args:
        class_subsets (dict[str, Sequence[str]], optional): Subset name to
            class names (after the merges).
        class_merges (dict[str, Sequence[str]], optional): New class name to
            the dataset's classes it merges (e.g. garments a teacher
            confuses).
        per_class (bool): Add ``IoU_<class>``. Defaults to True.
        **kwargs: ``IoUMetric``'s arguments (``format_only`` and
            ``output_dir`` are MMSeg's own path, without the additions).
    """

    def __init__(self,
                 class_subsets: Optional[Dict[str, Sequence[str]]] = None,
                 class_merges: Optional[Dict[str, Sequence[str]]] = None,
                 per_class: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.class_subsets = {
            name: list(classes)
            for name, classes in (class_subsets or {}).items()
        }
        self.class_merges = {
            name: list(classes)
            for name, classes in (class_merges or {}).items()
        }
        self.per_class = per_class

    @property
    def _plain(self) -> bool:
        """Whether MMSeg's own path runs (writing predictions)."""
        return self.format_only or self.output_dir is not None

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Store each sample's confusion matrix over the dataset's classes.

        Args:
            data_batch (dict): A batch of data from the dataloader.
            data_samples (Sequence[dict]): Outputs with ``pred_sem_seg`` and
                ``gt_sem_seg``, label maps of shape ``(1, H, W)``.
        """
        if self._plain:
            return super().process(data_batch, data_samples)
        num_classes = len(self.dataset_meta['classes'])
        for data_sample in data_samples:
            prediction = data_sample['pred_sem_seg']['data'].squeeze()
            label = data_sample['gt_sem_seg']['data'].squeeze().to(prediction)
            self.results.append(
                confusion(prediction.cpu(), label.cpu(), num_classes,
                          self.ignore_index))

    def _subset_indices(self, classes: Sequence[str]) -> Dict[str, List[int]]:
        """Indices of each subset's classes; unknown names are refused."""
        indices = {}
        for subset, names in self.class_subsets.items():
            unknown = [name for name in names if name not in classes]
            if unknown or not names:
                raise ValueError(
                    f'ClassIoUMetric: class_subsets[{subset!r}] names '
                    f'{unknown or "no class"}; the classes are '
                    f'{list(classes)}.')
            indices[subset] = [list(classes).index(name) for name in names]
        return indices

    def _summary(self, matrix: torch.Tensor,
                 classes: Sequence[str]) -> Tuple[dict, dict]:
        """MMSeg's summary metrics and per-class values of a confusion
        matrix (through ``IoUMetric.total_area_to_metrics``)."""
        intersection = matrix.diag()
        area_label = matrix.sum(1)
        area_prediction = matrix.sum(0)
        union = area_label + area_prediction - intersection
        per_class = self.total_area_to_metrics(intersection, union,
                                               area_prediction, area_label,
                                               self.metrics, self.nan_to_num,
                                               self.beta)
        metrics = OrderedDict()
        for key, value in per_class.items():
            mean = float(np.round(np.nanmean(value) * 100, 2))
            metrics[key if key == 'aAcc' else 'm' + key] = mean
        per_class.pop('aAcc', None)
        return metrics, per_class

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """MMSeg's metrics plus ``IoU_<class>``, ``mIoU_<subset>`` and
        (with merges) ``mIoU_unmerged``.

        Args:
            results (list): Per sample, a confusion matrix of shape
                ``(C, C)``.

        Returns:
            dict[str, float]: The metrics, in percent.
        """
        if self._plain:
            return super().compute_metrics(results)
        logger = MMLogger.get_current_instance()
        classes = list(self.dataset_meta['classes'])
        matrix = sum(results).double()
        unmerged = None
        if self.class_merges:
            unmerged, _ = self._summary(matrix, classes)
            matrix, classes = merge_confusion(matrix, classes,
                                              self.class_merges)
        metrics, per_class = self._summary(matrix, classes)
        # MMSeg's per-class table, over the classes evaluated.
        from prettytable import PrettyTable
        table = PrettyTable()
        table.add_column('Class', classes)
        for key, values in per_class.items():
            table.add_column(key, np.round(values * 100, 2).tolist())
        print_log('per class results:', logger)
        print_log('\n' + table.get_string(), logger=logger)

        iou = per_class['IoU'] * 100 if 'IoU' in per_class else None
        if self.per_class and iou is not None:
            for name, value in zip(classes, iou):
                metrics[f'IoU_{metric_key(name)}'] = float(np.round(value, 2))
        for subset, index in self._subset_indices(classes).items():
            values = iou[index]
            metrics[f'mIoU_{subset}'] = float(np.round(
                np.nanmean(values), 2)) if np.isfinite(values).any() else 0.0
        if unmerged is not None and 'mIoU' in unmerged:
            metrics['mIoU_unmerged'] = unmerged['mIoU']
        return dict(metrics)


if IoUMetric is not object:
    METRICS.register_module(module=ClassIoUMetric)
