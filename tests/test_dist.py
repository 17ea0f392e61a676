# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Two processes on localhost with gloo: DDP on the CPU through torchrun."""
import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmrazor_dfad.testing import free_port

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CIFAR_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_resnet34_resnet18_8xb32_cifar10.py')


@pytest.mark.slow
def test_two_process_gloo_training(random_resnet34_ckpt, tmp_path):
    work_dir = tmp_path / 'work'
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1')
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    result = subprocess.run([
        'bash',
        osp.join(REPO_ROOT, 'tools',
                 'dist_train.sh'), CIFAR_CONFIG, '2', '--work-dir',
        str(work_dir), '--cfg-options',
        f'model.teachers.res34.ckpt_path={random_resnet34_ckpt}',
        'train_dataloader.batch_size=2', 'train_cfg.max_iters=2',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1'
    ],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # Only rank 0 writes logs and checkpoints.
    assert len(glob.glob(str(work_dir / '*' / '*.log'))) == 1
    checkpoint = torch.load(work_dir / 'iter_2.pth', weights_only=False)
    keys = checkpoint['state_dict'].keys()
    # Saved without DDP prefixes, student and generator both present.
    assert any(k.startswith('architecture.backbone.') for k in keys)
    assert any(k.startswith('generator.linear.') for k in keys)
    assert not any('.module.' in k for k in keys)
    assert 'Distributed training: True' in result.stdout + result.stderr
