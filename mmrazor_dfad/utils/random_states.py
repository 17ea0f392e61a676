# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The global random states of a process: Python's, NumPy's, PyTorch's CPU
generator and every CUDA device's.

MMEngine seeds them once at the start of a run and does not checkpoint
them, so anything drawing from them (dropout, random data transforms)
departs from the uninterrupted run after a resume. MMEngine writes a
checkpoint on rank 0 only, so the states of every rank are gathered into
it and each rank restores its own.
"""
import random
from typing import Any, Dict, List

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_world_size


def capture_random_states() -> Dict[str, Any]:
    """This process's global random states.

    Returns:
        dict: ``python``, ``numpy``, ``torch`` (a ``uint8`` tensor) and,
        where CUDA is initialised, ``cuda`` (one tensor per device).
    """
    name, keys, position, has_gauss, cached_gaussian = np.random.get_state()
    states = dict(
        python=random.getstate(),
        # Tensors and plain numbers only: checkpoints load with
        # ``weights_only=True``, which refuses NumPy arrays.
        numpy=(name, torch.from_numpy(keys.astype(np.int64)), int(position),
               int(has_gauss), float(cached_gaussian)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states['cuda'] = torch.cuda.get_rng_state_all()
    return states


def restore_random_states(states: Dict[str, Any]) -> None:
    """Set this process's global random states to ``states``.

    Args:
        states (dict): What :func:`capture_random_states` returned. The CUDA
            states are restored where this process has as many devices.
    """
    random.setstate(states['python'])
    name, keys, position, has_gauss, cached_gaussian = states['numpy']
    np.random.set_state((name, keys.cpu().numpy().astype(np.uint32), position,
                         has_gauss, cached_gaussian))
    torch.set_rng_state(states['torch'].cpu())
    cuda = states.get('cuda')
    if cuda is not None and torch.cuda.is_available() and \
            torch.cuda.device_count() == len(cuda):
        torch.cuda.set_rng_state_all([state.cpu() for state in cuda])


def gather_random_states(states: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Every rank's ``states``, in rank order (a collective: every rank
    must call it).

    Args:
        states (dict): This rank's states.

    Returns:
        list[dict]: One entry per rank.
    """
    if get_world_size() == 1:
        return [states]
    return all_gather_object(states)
