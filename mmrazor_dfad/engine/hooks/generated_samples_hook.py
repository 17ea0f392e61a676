# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torchvision.utils import make_grid

from mmrazor_dfad.models.generators.latent import generate_from_latent
from mmrazor_dfad.registry import HOOKS


@HOOKS.register_module()
class GeneratedSamplesHook(Hook):
    """Save a grid of generated images every ``interval`` iterations.

    The same latent vectors (seeded by ``seed``, independent of training's
    random state) are used every time, so the grids show how the generator's
    output evolves. The generator runs in eval mode under ``no_grad``; its
    training state is restored afterwards.

    Rank 0 hands each grid to the runner's visualizer as the image
    ``generated_samples`` at step N, once; every configured backend receives
    it. With ``LocalVisBackend`` (the default runtime's) the file is
    ``<work_dir>/<timestamp>/vis_data/vis_image/generated_samples_<N>.png``;
    adding ``TensorboardVisBackend`` or ``WandbVisBackend`` to
    ``visualizer.vis_backends`` shows the grids there too.

    Args:
        interval (int): Iterations between grids. Defaults to 200.
        num_images (int): Images per grid. Defaults to 64.
        nrow (int): Images per grid row. Defaults to 8.
        seed (int): Seed of the fixed latent vectors. Defaults to 0.
        at_start (bool): Also save a grid before the first iteration.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 200,
                 num_images: int = 64,
                 nrow: int = 8,
                 seed: int = 0,
                 at_start: bool = True) -> None:
        if interval < 1 or num_images < 1:
            raise ValueError('GeneratedSamplesHook: interval and num_images '
                             'must be positive.')
        self.interval = interval
        self.num_images = num_images
        self.nrow = nrow
        self.seed = seed
        self.at_start = at_start
        self._latent: Optional[torch.Tensor] = None

    @staticmethod
    def _generator(runner) -> torch.nn.Module:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        generator = model.generator
        return generator.module if is_model_wrapper(generator) else generator

    def before_train(self, runner) -> None:
        if self.at_start and runner.iter == 0:
            self._save(runner, 0)

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval) or \
                self.is_last_train_iter(runner):
            self._save(runner, runner.iter + 1)

    @torch.no_grad()
    def _save(self, runner, step: int) -> None:
        if not is_main_process():
            return
        generator = self._generator(runner)
        if self._latent is None:
            rng = torch.Generator().manual_seed(self.seed)
            self._latent = torch.randn(
                self.num_images, generator.latent_dim, generator=rng)
        was_training = generator.training
        generator.eval()
        try:
            images = generate_from_latent(generator, self._latent).cpu()
        finally:
            generator.train(was_training)
        # Each image stretched to [0, 1] on its own: the generator's output is
        # standardised, not in pixel units.
        grid = make_grid(
            images, nrow=self.nrow, normalize=True, scale_each=True, padding=2)
        runner.visualizer.add_image(
            'generated_samples',
            (grid.permute(1, 2, 0).numpy() * 255).round().astype('uint8'),
            step=step)
