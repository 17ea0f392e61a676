# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The data-sample class of whichever classification library is installed."""
import importlib
from typing import Type

import torch

# Tried in this order: MMCls 1.x first (what MMRazor 1.0.0's configs use),
# then MMPretrain, its successor.
_CANDIDATES = (('mmcls.structures', 'ClsDataSample'), ('mmpretrain.structures',
                                                       'DataSample'))


def classification_data_sample_type() -> Type:
    """The class that carries a classifier's predictions to its metrics.

    Both candidates have ``set_pred_score`` / ``set_pred_label``, which is
    all the metrics of either library read.

    Returns:
        type: MMCls's ``ClsDataSample`` or MMPretrain's ``DataSample``.

    Raises:
        ImportError: When neither library is installed, saying what to
            install.
    """
    for module_name, class_name in _CANDIDATES:
        try:
            return getattr(importlib.import_module(module_name), class_name)
        except ImportError:
            continue
    raise ImportError(
        'Classification predictions need MMCls 1.x or MMPretrain: pip install '
        '"mmcls==1.0.0rc6" or "mmpretrain==1.2.0" (docs/install.md).')


def ground_truth_label(sample) -> torch.Tensor:
    """The label of a data sample of either library, as a 1-D tensor.

    MMCls stores ``gt_label`` as a ``LabelData`` with a ``label`` field,
    MMPretrain as a tensor.

    Args:
        sample: A ``ClsDataSample`` or ``DataSample`` with ``gt_label``.

    Returns:
        torch.Tensor: Shape ``(1, )`` for a single-label sample.

    Raises:
        AttributeError: When the sample has no ``gt_label``.
    """
    label = sample.gt_label
    label = getattr(label, 'label', label)
    return torch.as_tensor(label).view(-1)
