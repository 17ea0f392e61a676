# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor_dfad.registry import HOOKS


@HOOKS.register_module()
class GeneratorResetHook(Hook):
    """Re-initialise the generator every ``interval`` iterations.

    A single generator trained adversarially settles on one family of
    images; the student, replaying them from the pool, then sees little
    variety. Restarting the generator from fresh weights (and a fresh
    optimizer state) makes it find another family, while the replay pool
    keeps the earlier ones in the student's batches: the re-initialisation
    of CMI / Fast-DFKD's synthesizers, applied to DFAD's single generator.

    Before iteration ``k * interval`` (``k >= 1``, 0-based) every module of
    the generator with ``reset_parameters`` is re-initialised (BatchNorm
    layers also forget their running statistics) and the generator
    optimizer's state (Adam's moments) is cleared. The new weights come
    from a private random generator seeded with ``seed`` and the
    iteration, never the global random state, so every rank gets the same
    weights and a resumed run re-initialises exactly like an uninterrupted
    one. The generator's latent noise stream is left as it is.

    Args:
        interval (int): Iterations between re-initialisations.
        seed (int): Base seed of the new weights. Defaults to 0.
    """

    priority = 'HIGH'

    def __init__(self, interval: int, seed: int = 0) -> None:
        if not isinstance(interval, int) or isinstance(interval,
                                                       bool) or interval < 1:
            raise ValueError('GeneratorResetHook: interval must be an integer '
                             f'>= 1 (iterations), got {interval!r}.')
        self.interval = interval
        self.seed = seed

    def before_train(self, runner) -> None:
        """Check the model has a generator and the optimizer wrapper a
        ``generator`` entry before any work."""
        self._generator(runner)
        self._generator_optimizer(runner)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        """Re-initialise the generator at multiples of ``interval``."""
        if runner.iter == 0 or runner.iter % self.interval != 0:
            return
        generator = self._generator(runner)
        cuda_devices = sorted({
            parameter.device.index or 0
            for parameter in generator.parameters()
            if parameter.device.type == 'cuda'
        })
        # A private stream: the global random state (latents of other
        # components, dropout, ...) moves on as if nothing had happened.
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(self.seed * 1_000_003 + runner.iter)
            for module in generator.modules():
                if hasattr(module, 'reset_parameters'):
                    module.reset_parameters()
        self._generator_optimizer(runner).state.clear()
        runner.logger.info(
            f'GeneratorResetHook: generator re-initialised before iteration '
            f'{runner.iter}.')

    @staticmethod
    def _generator(runner) -> torch.nn.Module:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        generator = getattr(model, 'generator', None)
        if generator is None:
            raise AttributeError(
                'GeneratorResetHook: the model has no generator; the hook '
                'works with DataFreeDistillation.')
        return generator.module if is_model_wrapper(generator) else generator

    @staticmethod
    def _generator_optimizer(runner) -> torch.optim.Optimizer:
        optim_wrapper = runner.optim_wrapper
        try:
            return optim_wrapper['generator'].optimizer
        except (KeyError, TypeError):
            raise KeyError(
                'GeneratorResetHook: the optimizer wrapper has no '
                "'generator' entry; use optim_wrapper=dict(constructor="
                "'AlternatingOptimWrapperConstructor', architecture=..., "
                'generator=...).') from None
