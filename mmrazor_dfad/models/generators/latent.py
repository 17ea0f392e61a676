# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Calling any generator with given latent vectors, and the seeded latent
stream our generators draw from."""
import warnings
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper

from mmrazor_dfad.models.synthesizers.seeded_stream import (current_rank,
                                                            draw_seed)
from mmrazor_dfad.utils.errors import InvalidArgumentError


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


class SeededLatentMixin:
    """The latent noise of a generator: drawn by the generator itself, on
    the device of its weights, from a stream that survives checkpoints.

    Draw number ``k`` of rank ``r`` comes from a random generator seeded by
    (``seed``, ``r``, ``k``), where ``seed`` is the run's seed
    (``torch.initial_seed()`` when the generator is built): every rank gets
    different noise without ``randomness.diff_rank_seed``, runs with the same
    seed repeat exactly, and no draw touches the global random state. The
    seed and the draw counter are the module's ``_extra_state``, so a
    resumed run, on every rank, draws the noise that rank would have drawn
    uninterrupted (the checkpoint holds no rank's random state).

    Mixed into an ``nn.Module`` before it (``class G(SeededLatentMixin,
    BaseModule)``); the module sets ``latent_dim`` and calls
    :meth:`_init_latent_stream` in its ``__init__``. It adds no parameter or
    buffer, so the state-dict keys are the module's own plus
    ``_extra_state``.
    """

    LATENT_RNGS = ('private', 'global')

    latent_dim: int

    def _init_latent_stream(self, latent_rng: str = 'private') -> None:
        """Start the stream at draw 0 of the run's seed.

        Args:
            latent_rng (str): ``'private'`` (the stream above) or
                ``'global'`` (PyTorch's global CPU generator, as MMRazor's
                generators draw it: the same noise on every rank unless
                ``randomness.diff_rank_seed=True``).
        """
        if latent_rng not in self.LATENT_RNGS:
            raise ValueError(
                f'{type(self).__name__}: latent_rng must be one of '
                f'{self.LATENT_RNGS}, got {latent_rng!r}.')
        self.latent_rng = latent_rng
        self.latent_seed = torch.initial_seed() % 2**31
        self.latent_draws = 0

    @property
    def device(self) -> torch.device:
        """The device of the generator's weights."""
        return generator_device(self)

    def _next_rng(self) -> torch.Generator:
        """The random generator of the next latent draw (advances the
        counter), on the weights' device."""
        rng = torch.Generator(device=self.device)
        rng.manual_seed(
            draw_seed(self.latent_seed, current_rank(), self.latent_draws))
        self.latent_draws += 1
        return rng

    def sample_latent(self, batch_size: int) -> torch.Tensor:
        """Draw latent vectors ``z ~ N(0, I)`` on the generator's device.

        Args:
            batch_size (int): Number of vectors.

        Returns:
            torch.Tensor: Shape ``(batch_size, latent_dim)``.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgumentError(
                f'{type(self).__name__}: batch_size must be a positive '
                f'integer, got {batch_size!r}.')
        if self.latent_rng == 'global':
            return torch.randn(batch_size, self.latent_dim).to(self.device)
        return torch.randn(
            batch_size,
            self.latent_dim,
            device=self.device,
            generator=self._next_rng())

    def process_latent(self,
                       latent_data: Optional[torch.Tensor] = None,
                       batch_size: int = 1) -> torch.Tensor:
        """Check given latent vectors, or draw new ones, on the device of
        the generator's weights (MMRazor's ``BaseGenerator`` interface).

        Args:
            latent_data (torch.Tensor, optional): Latent vectors of shape
                ``(N, latent_dim)``, on any device. Drawn with
                :meth:`sample_latent` when None.
            batch_size (int): Number of vectors drawn when ``latent_data`` is
                None. Defaults to 1.

        Returns:
            torch.Tensor: Shape ``(N, latent_dim)``, on the generator's
            device.

        Raises:
            InvalidArgumentError: (a ``ValueError`` and an
                ``AssertionError``, as MMRazor raises either) for a latent
                shape other than ``(N, latent_dim)`` or a ``batch_size``
                below 1.
        """
        if latent_data is None:
            return self.sample_latent(batch_size)
        if latent_data.ndim != 2 or latent_data.shape[1] != self.latent_dim:
            raise InvalidArgumentError(
                f'{type(self).__name__}: latent must have shape (N, '
                f'latent_dim={self.latent_dim}), got '
                f'{tuple(latent_data.shape)}.')
        return latent_data.to(self.device)

    def _latent_of_call(self, data: Optional[torch.Tensor], batch_size: int,
                        latent: Optional[torch.Tensor]) -> torch.Tensor:
        """The latent vectors of a ``forward(data, batch_size, *, latent)``
        call: ``data`` (MMRazor's name) or its keyword alias ``latent``, or
        ``batch_size`` new draws.

        Returns:
            torch.Tensor: Shape ``(N, latent_dim)``, on the generator's
            device.
        """
        if latent is not None:
            if data is not None:
                raise TypeError(f'{type(self).__name__}: give the latent '
                                'vectors as `data` or as `latent`, not both.')
            data = latent
        return self.process_latent(data, batch_size)

    def get_extra_state(self) -> torch.Tensor:
        """Save the latent stream: ``[seed, draws]`` (a tensor, as MMEngine
        broadcasts states)."""
        return torch.tensor([self.latent_seed, self.latent_draws],
                            dtype=torch.long)

    def set_extra_state(self, state: torch.Tensor) -> None:
        """Restore the latent stream of the saved run.

        Checkpoints of versions that saved a random generator's raw state
        (a ``uint8`` tensor) cannot give each rank its own stream back; the
        stream then continues from this run's seed and a warning says so.
        """
        if state.dtype == torch.long and state.numel() == 2:
            self.latent_seed, self.latent_draws = (int(v) for v in state)
            return
        warnings.warn(
            f'{type(self).__name__}: the checkpoint holds a latent random '
            'state in an older format (one random generator, shared by '
            'every rank); the latent noise continues from this run\'s seed '
            'instead of resuming exactly.')
