# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Calling any generator with given latent vectors."""
import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper


def generator_device(generator: nn.Module) -> torch.device:
    """The device of a generator's weights (unwrapped or DDP-wrapped).

    Args:
        generator (nn.Module): Ours, MMRazor's, or any module with weights.

    Returns:
        torch.device: Where its first parameter lives.
    """
    return next(generator.parameters()).device


def generate_from_latent(generator: nn.Module,
                         latent: torch.Tensor) -> torch.Tensor:
    """Images of given latent vectors, from any MMRazor-style generator.

    MMRazor's generators (``DAFLGenerator``, ``ZSKTGenerator``) and ours
    take the latent vectors as ``data`` and a ``batch_size``, so this is the
    one call that fits all of them.

    Args:
        generator (nn.Module): The generator, unwrapped or DDP-wrapped.
        latent (torch.Tensor): Shape ``(N, latent_dim)``, on any device.

    Returns:
        torch.Tensor: Shape ``(N, C, H, W)``, on the generator's device.
    """
    module = generator.module if is_model_wrapper(generator) else generator
    return module(
        data=latent.to(generator_device(module)), batch_size=len(latent))
