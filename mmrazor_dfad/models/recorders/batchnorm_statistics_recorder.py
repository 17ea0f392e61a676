# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Any, List, Optional, Tuple

import torch.nn as nn
from mmrazor.models.task_modules.recorder.base_recorder import BaseRecorder

from mmrazor_dfad.registry import TASK_UTILS


@TASK_UTILS.register_module()
class BatchNormStatisticsRecorder(BaseRecorder):
    """Record the input statistics of every BatchNorm layer under a module.

    For each ``nn.modules.batchnorm._BatchNorm`` inside ``source`` (e.g. a
    teacher), each forward pass records ``(batch mean, batch variance,
    running mean, running variance)`` per channel of the layer's input;
    gradients flow through the batch statistics. :meth:`get_record_data`
    returns the list over all layers of the last forward pass, the input of
    :class:`~mmrazor_dfad.models.losses.BatchNormStatisticsLoss`. In a
    distiller config: ``dict(type='BatchNormStatistics', source='lenet5')``
    (MMRazor's recorder manager appends ``Recorder`` to the type).

    Args:
        source (str): Name of the module whose BatchNorm layers are
            recorded, e.g. ``'lenet5'`` for the teacher of that name.
    """

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self._recording = False
        self._num_layers = 0

    def prepare_from_model(self, model: Optional[nn.Module] = None) -> None:
        """Hook every BatchNorm layer under ``source`` in ``model``."""
        modules = dict(model.named_modules())
        if self.source not in modules:
            raise KeyError(f'BatchNormStatistics recorder: no module '
                           f"'{self.source}' in the model.")
        for module in modules[self.source].modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.register_forward_hook(self._forward_hook)
                self._num_layers += 1
        if self._num_layers == 0:
            raise ValueError(
                f"BatchNormStatistics recorder: '{self.source}' has no "
                'BatchNorm layer; the BN-statistics prior needs a teacher '
                'with BatchNorm.')

    def _forward_hook(self, module: nn.Module, inputs: Tuple,
                      outputs: Any) -> None:
        """Record the batch statistics of the BN layer's input and its
        running statistics, while recording."""
        if not self._recording:
            return
        features = inputs[0]
        dims = [0] + list(range(2, features.dim()))
        mean = features.mean(dim=dims)
        var = features.var(dim=dims, unbiased=False)
        self.data_buffer.append(
            (mean, var, module.running_mean, module.running_var))

    def get_record_data(self,
                        record_idx: int = 0,
                        data_idx: Optional[int] = None) -> List:
        """The statistics of every BatchNorm layer of the last forward.

        Args:
            record_idx (int): Unused (all layers are returned).
            data_idx (int, optional): Unused.

        Returns:
            list[tuple]: One ``(mean, var, running_mean, running_var)`` per
            layer.
        """
        return list(self.data_buffer[-self._num_layers:])

    def __enter__(self):
        super().__enter__()
        self._recording = True

    def __exit__(self, exc_type, exc_value, traceback):
        super().__exit__(exc_type, exc_value, traceback)
        self._recording = False
