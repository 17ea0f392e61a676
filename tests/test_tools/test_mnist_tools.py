# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The MNIST config trains (no data needed for training), draws sample grids,
and its student exports to a plain MMCls checkpoint with the same logits
(the train path's end-to-end test); the export and test command lines on a
trained run (the export and test paths')."""
import glob
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmrazor_dfad.apis import export_student
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import write_fake_mnist
from mmrazor_dfad.testing._internal.tool_runs import run_train

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

MNIST_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')


@pytest.mark.e2e
def test_mnist_config_trains_draws_samples_and_exports(tmp_path):
    work_dir = tmp_path / 'work'
    # The teacher's checkpoint path is relative to the repository.
    runner = run_train([
        MNIST_CONFIG, '--work-dir',
        str(work_dir), '--cfg-options', 'train_dataloader.batch_size=8',
        'train_cfg.max_iters=2', 'val_cfg=None', 'val_dataloader=None',
        'val_evaluator=None', 'custom_hooks.0.interval=1'
    ],
                       cwd=REPO_ROOT)
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
    # Built here from the package's own registration (importing the copied
    # source would register it in MMCls's registry for every later test);
    # test_export_student.py builds it from the copy in fresh processes.
    assert result['route'] == 'source'
    student_cfg = Config.fromfile(
        result['config'], import_custom_modules=False)
    student_cfg.model.backbone._scope_ = 'mmrazor_dfad'
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


def run_script(script, *args, cwd):
    return subprocess.run(
        [sys.executable,
         osp.join(REPO_ROOT, 'tools', *script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600)


@pytest.mark.e2e
def test_export_and_test_command_lines_on_a_trained_run(
        mnist_reference, tmp_path):
    out = tmp_path / 'student.pth'
    exported = run_script(('model_converters', 'export_student.py'),
                          MNIST_CONFIG,
                          str(mnist_reference / 'iter_6.pth'),
                          str(out),
                          cwd=REPO_ROOT)
    assert exported.returncode == 0, exported.stderr[-3000:]
    assert f'student: {out}' in exported.stdout
    # The student alone, with the config written beside it.
    root = write_fake_mnist(str(tmp_path / 'mnist'))
    tested = run_script(('test.py', ),
                        str(out.with_suffix('.py')),
                        str(out),
                        '--work-dir',
                        str(tmp_path / 'test'),
                        '--cfg-options',
                        f'test_dataloader.dataset.data_prefix={root}',
                        cwd=str(tmp_path))
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert 'accuracy/top1' in tested.stdout + tested.stderr
