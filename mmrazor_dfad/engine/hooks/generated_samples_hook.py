# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor_dfad.models.generators.latent import generate_from_latent
from mmrazor_dfad.models.tasks import task_of
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

    The algorithm's task draws the grid (``visualize_generated``): the
    images alone, each stretched to ``[0, 1]``; for segmentation
    (``task=dict(type='SegmentationTask')``) each image followed by the
    first teacher's and the student's predicted masks, colour-coded (image,
    teacher, student: three tiles per image).

    Args:
        interval (int): Iterations between grids. Defaults to 200.
        num_images (int): Images per grid. Defaults to 64.
        nrow (int): Images per grid row. Defaults to 8.
        seed (int): Seed of the fixed latent vectors. Defaults to 0.
        at_start (bool): Also save a grid before the first iteration.
        palette (list[list[int]], optional): One ``[R, G, B]`` (0-255) per
            class for segmentation masks (a dataset's
            ``metainfo['palette']``); class 0 black and evenly spaced hues
            when None.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 200,
                 num_images: int = 64,
                 nrow: int = 8,
                 seed: int = 0,
                 at_start: bool = True,
                 palette: Optional[list] = None) -> None:
        if interval < 1 or num_images < 1:
            raise ValueError('GeneratedSamplesHook: interval and num_images '
                             'must be positive.')
        self.interval = interval
        self.num_images = num_images
        self.nrow = nrow
        self.seed = seed
        self.at_start = at_start
        self.palette = palette
        self._latent: Optional[torch.Tensor] = None

    @staticmethod
    def _unwrap(module: torch.nn.Module) -> torch.nn.Module:
        return module.module if is_model_wrapper(module) else module

    @classmethod
    def _generator(cls, runner) -> torch.nn.Module:
        return cls._unwrap(cls._unwrap(runner.model).generator)

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
        model = self._unwrap(runner.model)
        grid = task_of(model).visualize_generated(model, images, self.nrow,
                                                  self.palette)
        runner.visualizer.add_image(
            'generated_samples',
            (grid.permute(1, 2, 0).numpy() * 255).round().astype('uint8'),
            step=step)
