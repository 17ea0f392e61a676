# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The MNIST config trains (no data needed for training), draws sample grids,
and its student exports to a plain MMCls checkpoint with the same logits."""
import glob
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmrazor_dfad.apis import export_student
from mmrazor_dfad.apis import train as train_tool
from mmrazor_dfad.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

MNIST_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')


def test_mnist_config_trains_draws_samples_and_exports(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)  # the teacher path is relative to the repo
    work_dir = tmp_path / 'work'
    runner = train_tool.main([
        MNIST_CONFIG, '--work-dir',
        str(work_dir), '--cfg-options', 'train_dataloader.batch_size=8',
        'train_cfg.max_iters=2', 'val_cfg=None', 'val_dataloader=None',
        'val_evaluator=None', 'custom_hooks.0.interval=1'
    ])
    assert runner.iter == 2
    # Each grid written once, through the visualizer's LocalVisBackend.
    for step in (0, 1, 2):
        assert len(
            glob.glob(
                str(work_dir / '*' / 'vis_data' / 'vis_image' /
                    f'generated_samples_{step}.png'))) == 1
    assert not (work_dir / 'samples').exists()

    out = tmp_path / 'student.pth'
    result = export_student(MNIST_CONFIG, str(work_dir / 'iter_2.pth'),
                            str(out))
    student_cfg = Config.fromfile(result['config'])
    init_default_scope(student_cfg.default_scope)
    student = MODELS.build(student_cfg.model).eval()
    load_checkpoint(student, str(out), strict=True)
    algorithm = runner.model.eval()
    images = torch.randn(6, 1, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            student(images, mode='tensor'),
            algorithm.student(images, mode='tensor'))
    assert type(student).__name__ == 'ImageClassifier'
