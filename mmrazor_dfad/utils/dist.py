# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import os

import torch
import torch.distributed as torch_dist


def init_cpu_distributed(launcher: str) -> bool:
    """Start a gloo process group when launched distributed without a GPU.

    MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally,
    so ``--launcher pytorch`` fails on CPU-only machines. When there is no
    GPU this starts the process group itself (gloo, from the environment
    ``torchrun`` sets); the runner then sees an initialised group and skips
    its own. With a GPU it does nothing and MMEngine uses nccl as configured.

    Args:
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.

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
    torch_dist.init_process_group(backend='gloo')
    return True
