# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""GeneratedSamplesHook hands each grid to the visualizer, once."""
import os
from types import SimpleNamespace
from unittest import mock

import numpy as np
import torch
from mmengine.visualization import Visualizer

from mmrazor_dfad.engine.hooks import GeneratedSamplesHook
from mmrazor_dfad.models import DAFLGenerator


def fake_runner(work_dir, visualizer):
    torch.manual_seed(0)
    generator = DAFLGenerator(
        img_size=8, latent_dim=4, hidden_channels=4, out_channels=1)
    return SimpleNamespace(
        model=SimpleNamespace(generator=generator),
        work_dir=str(work_dir),
        visualizer=visualizer,
        iter=0)


def test_each_grid_goes_once_to_every_visualizer_backend(tmp_path):
    visualizer = Visualizer(
        name='generated_samples_hook_test',
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path))
    runner = fake_runner(tmp_path, visualizer)
    hook = GeneratedSamplesHook(num_images=6, nrow=3)
    backend = visualizer.get_backend('LocalVisBackend')
    with mock.patch.object(
            backend, 'add_image', wraps=backend.add_image) as add_image:
        hook.before_train(runner)
    add_image.assert_called_once()
    arguments = add_image.call_args.args + tuple(
        add_image.call_args.kwargs.values())
    name, image, step = arguments[:3]
    assert (name, step) == ('generated_samples', 0)
    # 2 rows x 3 columns of 8x8 images with 2-pixel padding, RGB uint8.
    assert image.shape == (2 * 10 + 2, 3 * 10 + 2, 3)
    assert image.dtype == np.uint8
    # The local backend's file is the only one written.
    written = [
        os.path.relpath(os.path.join(root, name), tmp_path)
        for root, _, names in os.walk(tmp_path) for name in names
    ]
    assert written == [
        os.path.join('vis_data', 'vis_image', 'generated_samples_0.png')
    ]
    assert runner.model.generator.training  # training state restored
