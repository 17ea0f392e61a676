# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the tests compare across ranks and resumes: the latent noise each
generator (``DAFLGenerator``, ``DCGANGenerator``) draws from its own
stream."""
import contextlib
import os
import os.path as osp
from typing import Iterator, List

import torch

from mmrazor_dfad.models.generators.latent import SeededLatentMixin

# Where :func:`recorded_latent_draws` writes, one file per rank.
DRAWS_DIR_VARIABLE = 'MMRAZOR_DFAD_DRAWS_DIR'


def _fingerprint(latent: torch.Tensor) -> str:
    """A line that differs for any two different batches of noise."""
    values = latent.detach().double().cpu()
    return f'{values.sum().item()!r} {values.flatten()[:4].tolist()!r}'


@contextlib.contextmanager
def recorded_latent_draws() -> Iterator[None]:
    """While inside, every ``sample_latent`` call of a generator with a
    seeded latent stream (:class:`SeededLatentMixin`) appends a
    fingerprint of its noise to ``$MMRAZOR_DFAD_DRAWS_DIR/rank<RANK>.txt``
    (a module-level context for
    :func:`~mmrazor_dfad.testing._internal.fresh_process.start_tool`)."""
    path = osp.join(os.environ[DRAWS_DIR_VARIABLE],
                    f'rank{os.environ.get("RANK", "0")}.txt')
    sample_latent = SeededLatentMixin.sample_latent

    def recording(self, batch_size: int) -> torch.Tensor:
        latent = sample_latent(self, batch_size)
        with open(path, 'a') as file:
            file.write(_fingerprint(latent) + '\n')
        return latent

    SeededLatentMixin.sample_latent = recording
    try:
        yield
    finally:
        SeededLatentMixin.sample_latent = sample_latent


def read_latent_draws(draws_dir: str, rank: int) -> List[str]:
    """The fingerprints rank ``rank`` recorded, in order."""
    with open(osp.join(str(draws_dir), f'rank{rank}.txt')) as file:
        return file.read().splitlines()
