# Copyright (c) mmrazor_dfad contributors. All rights reserved.
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
