# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch
import torch.nn as nn
from mmengine.model import ExponentialMovingAverage

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class DataFreeEMA(ExponentialMovingAverage):
    """MMEngine's ``ExponentialMovingAverage`` of a data-free algorithm,
    without a second copy of its replay pool.

    ``EMAHook`` deep-copies the whole algorithm and saves the copy's state
    dict beside the model's (``ema_state_dict``). Only weights are averaged
    (``update_buffers=False``), so the copy of the pool, often the largest
    buffer, is never read; this class drops it, so memory and checkpoints
    hold the pool once. With ``update_buffers=True`` the copy keeps it (its
    buffers then follow the model's one by one). Use it as
    ``dict(type='EMAHook', ema_type='DataFreeEMA', momentum=...)``.

    Args:
        model (nn.Module): The algorithm.
        *args, **kwargs: As ``ExponentialMovingAverage``.
    """

    def __init__(self, model: nn.Module, *args, **kwargs) -> None:
        super().__init__(model, *args, **kwargs)
        if not self.update_buffers and \
                getattr(self.module, 'pool', None) is not None:
            self.module.pool = None

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average the weights of ``model`` into this copy and copy its
        other buffers.

        MMEngine pairs the buffers of copy and model by position, which the
        missing pool would shift; here they are paired by name.

        Args:
            model (nn.Module): The algorithm being trained.
        """
        if self.update_buffers:
            super().update_parameters(model)
            return
        parameters = dict(model.named_parameters())
        for name, average in self.avg_parameters.items():
            if self.steps == 0:
                average.copy_(parameters[name])
            elif self.steps % self.interval == 0 and \
                    average.dtype.is_floating_point:
                self.avg_func(average, parameters[name].to(average.device),
                              self.steps)
        buffers = dict(model.named_buffers())
        for name, buffer in self.module.named_buffers():
            buffer.copy_(buffers[name].to(buffer.device))
        self.steps += 1
