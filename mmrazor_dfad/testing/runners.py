# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A stand-in runner for calling a hook's methods without a Runner."""
from types import SimpleNamespace

import torch.nn as nn


def visualizer_runner(model: nn.Module,
                      save_dir: str,
                      name: str,
                      iteration: int = 0) -> SimpleNamespace:
    """What a hook that saves images reads from the runner: ``model``,
    ``iter`` and a ``visualizer`` writing under ``save_dir``.

    Args:
        model (nn.Module): The (unwrapped) algorithm.
        save_dir (str): Where the visualizer's ``LocalVisBackend`` writes.
        name (str): The visualizer's instance name (unique per test).
        iteration (int): ``runner.iter``.

    Returns:
        SimpleNamespace: ``model``, ``iter`` and ``visualizer``.
    """
    from mmengine.visualization import Visualizer
    visualizer = Visualizer(
        name=name,
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=save_dir)
    return SimpleNamespace(model=model, iter=iteration, visualizer=visualizer)
