# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import datetime
import os
from typing import Optional, Union

import torch
import torch.distributed as torch_dist

# Seconds a CPU rank waits for the others in a collective before it gives
# up. PyTorch's default (30 minutes) leaves a run stuck in silence; a CPU
# iteration of the shipped configs takes seconds, a checkpoint save or a
# validation on rank 0 at most a few minutes.
DEFAULT_CPU_TIMEOUT = 600


def init_cpu_distributed(launcher: str,
                         timeout: Optional[Union[int, float]] = None) -> bool:
    """Start a gloo process group when launched distributed without a GPU.

    MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally,
    so ``--launcher pytorch`` fails on CPU-only machines. When there is no
    GPU this starts the process group itself (gloo, from the environment
    ``torchrun`` sets); the runner then sees an initialised group and skips
    its own. With a GPU it does nothing and MMEngine uses nccl as configured.

    Args:
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
        timeout (int | float, optional): Seconds a collective waits for the
            other ranks (``env_cfg.dist_cfg.timeout``, as MMEngine reads it
            for GPUs). Defaults to :data:`DEFAULT_CPU_TIMEOUT`.

    Returns:
        bool: True if this call initialised the process group.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if torch_dist.is_initialized():
        return False
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} without a GPU is not supported; use '
            '--launcher pytorch with torchrun (tools/dist_train.sh).')
    missing = [
        name for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
        if name not in os.environ
    ]
    if missing:
        raise RuntimeError(
            f'--launcher pytorch needs the environment variables {missing}; '
            'start the script with torchrun (tools/dist_train.sh).')
    if timeout is None:
        timeout = DEFAULT_CPU_TIMEOUT
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or timeout <= 0:
        raise ValueError(
            'env_cfg.dist_cfg.timeout must be a positive number of seconds, '
            f'got {timeout!r}.')
    torch_dist.init_process_group(
        backend='gloo', timeout=datetime.timedelta(seconds=timeout))
    return True
