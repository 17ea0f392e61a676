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


FAKE_CIFAR_TRAIN = '''
import sys
from mmrazor_dfad.apis import train
from mmrazor_dfad.testing import accept_fake_cifar10
with accept_fake_cifar10():
    train.main(sys.argv[1:])
'''


@pytest.mark.slow
def test_mmrazor_dafl_config_with_only_the_scope_changed_under_ddp(
        fake_cifar10, random_resnet34_ckpt, tmp_path):
    # MMRazor's DAFL config iterates the real CIFAR-10 training set (only
    # to count it); each process accepts the fake folder in its place.
    import mmrazor

    from mmrazor_dfad.testing.mmrazor_reference import MMRAZOR_CONFIGS
    text = open(
        osp.join(
            osp.dirname(mmrazor.__file__), '.mim', 'configs',
            MMRAZOR_CONFIGS['dafl'])).read()
    config = tmp_path / 'dafl.py'
    config.write_text(
        text.replace("_scope_='mmrazor'", "_scope_='mmrazor_dfad'"))
    launcher = tmp_path / 'train_fake_cifar.py'
    launcher.write_text(FAKE_CIFAR_TRAIN)
    work_dir = tmp_path / 'work'
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={free_port()}',
        str(launcher),
        str(config), '--launcher', 'pytorch', '--work-dir',
        str(work_dir), '--cfg-options',
        f'model.teachers.res34.ckpt_path={random_resnet34_ckpt}',
        'model.teachers.res34.build_cfg.pretrained=False',
        f'train_dataloader.dataset.data_prefix={fake_cifar10}',
        'train_dataloader.batch_size=4', 'train_cfg.max_iters=2',
        'param_scheduler.architecture.0.end=1',
        'param_scheduler.architecture.1.begin=1',
        'param_scheduler.generator.end=1', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1'
    ],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert 'Distributed training: True' in output
    assert 'DataFreeDistributedDataParallel' in output
    checkpoint = torch.load(work_dir / 'iter_2.pth', weights_only=False)
    keys = checkpoint['state_dict'].keys()
    assert any(k.startswith('generator.linear.') for k in keys)
    assert not any('.module.' in k for k in keys)
