# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""ours: the config through MMEngine's runner, as ``tools/train.py`` runs
it (hooks, logging every iteration; no validation, no checkpoint)."""
from mmrazor_dfad.apis.benchmark import seconds_per_iteration


class ThroughRunner:
    """A config through MMEngine's runner; the median of the per-iteration
    times the runner logged, after one warm-up iteration."""

    def __init__(self, config, batch, overrides):
        self.config, self.batch, self.overrides = config, batch, overrides

    def time(self, iters):
        return seconds_per_iteration(self.config, iters, self.batch,
                                     self.overrides)


class Ours(ThroughRunner):
    """Our algorithm through MMEngine's runner."""


def variant_makers(config, batch, overrides, variants):
    """``ours+NAME`` makers, one per ``NAME=KEY=VALUE`` in ``variants``:
    ours with that one extra override."""
    makers = {}
    for variant in variants:
        name, override = variant.split('=', 1)
        makers[f'ours+{name}'] = (lambda override=override: Ours(
            config, batch, [*overrides, override]))
    return makers
