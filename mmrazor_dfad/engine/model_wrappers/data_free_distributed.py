# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Optional, Union

import torch
import torch.nn as nn
from mmengine.device import get_device
from mmengine.model import MMSeparateDistributedDataParallel

from mmrazor_dfad.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DataFreeDistributedDataParallel(MMSeparateDistributedDataParallel):
    """DDP for DFAD: student and generator wrapped separately, on CPU or GPU.

    MMEngine's ``MMSeparateDistributedDataParallel`` already wraps each
    trainable submodule on its own and leaves the frozen teachers unwrapped
    (they have no trainable parameter). The runner, however, always passes
    ``device_ids=[LOCAL_RANK]``, which DDP rejects for CPU modules; this
    wrapper drops it when training on the CPU (gloo), so the same config runs
    on GPUs (nccl) and CPUs.

    Args:
        module (nn.Module): The DFAD algorithm.
        broadcast_buffers (bool): Broadcast BN buffers from rank 0 at each
            forward. Defaults to False.
        find_unused_parameters (bool): Passed to each DDP. Defaults to False.
        device_ids (list[int | torch.device], optional): The GPU of this
            process; ignored on the CPU.
        **kwargs: Other DDP arguments.
    """

    def __init__(self,
                 module: nn.Module,
                 broadcast_buffers: bool = False,
                 find_unused_parameters: bool = False,
                 device_ids: Optional[List[Union[int, torch.device]]] = None,
                 **kwargs) -> None:
        if get_device() != 'cpu' and device_ids is not None:
            kwargs['device_ids'] = device_ids
        super().__init__(
            module,
            broadcast_buffers=broadcast_buffers,
            find_unused_parameters=find_unused_parameters,
            **kwargs)
