# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Two processes on localhost with gloo: DDP on the CPU, through
``tools/dist_train.sh`` (torchrun) and for MMRazor's own DAFL config."""
import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmrazor_dfad.testing import accept_fake_cifar10, free_port
from mmrazor_dfad.testing.fresh_process import run_distributed
from mmrazor_dfad.testing.mmrazor_reference import MMRAZOR_CONFIGS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REPLAY_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_replay-priors-tv_lenet5_lenet5half_1xb256_fashionmnist.py')


@pytest.mark.e2e
def test_two_process_gloo_training_shares_one_pool(tmp_path):
    work_dir = tmp_path / 'work'
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1')
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    result = subprocess.run([
        'bash',
        osp.join(REPO_ROOT, 'tools',
                 'dist_train.sh'), REPLAY_CONFIG, '2', '--work-dir',
        str(work_dir), '--cfg-options', 'train_dataloader.batch_size=4',
        'train_cfg.max_iters=2', 'val_cfg=None', 'val_dataloader=None',
        'val_evaluator=None', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1', 'randomness.seed=3',
        'custom_hooks=[]', 'model.pool.capacity=100'
    ],
                            cwd=REPO_ROOT,
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Distributed training: True' in result.stdout + result.stderr
    # Only rank 0 writes logs and checkpoints.
    assert len(glob.glob(str(work_dir / '*' / '*.log'))) == 1
    state = torch.load(
        work_dir / 'iter_2.pth', weights_only=False)['state_dict']
    # Saved without DDP prefixes, student and generator both present.
    assert any(k.startswith('architecture.backbone.') for k in state)
    assert any(k.startswith('generator.linear.') for k in state)
    assert not any('.module.' in k for k in state)
    # The recipe fills the pool from generator updates only: 4 images per
    # rank and iteration. Each rank adds both ranks' images, so after 2
    # iterations each pool holds 2 x 2 x 4 (one process alone: 8).
    assert int(state['pool.size']) == 2 * 2 * 4


@pytest.mark.integration
def test_mmrazor_dafl_config_with_only_the_scope_changed_under_ddp(
        fake_cifar10, random_resnet34_ckpt, tmp_path):
    # MMRazor's DAFL config iterates the real CIFAR-10 training set (only
    # to count it); each rank accepts the fake folder in its place. The
    # ranks get torchrun's environment (fresh processes, no torchrun).
    import mmrazor
    text = open(
        osp.join(
            osp.dirname(mmrazor.__file__), '.mim', 'configs',
            MMRAZOR_CONFIGS['dafl'])).read()
    config = tmp_path / 'dafl.py'
    config.write_text(
        text.replace("_scope_='mmrazor'", "_scope_='mmrazor_dfad'"))
    work_dir = tmp_path / 'work'
    ranks = run_distributed(
        'train', [
            str(config), '--work-dir',
            str(work_dir), '--cfg-options',
            f'model.teachers.res34.ckpt_path={random_resnet34_ckpt}',
            'model.teachers.res34.build_cfg.pretrained=False',
            f'train_dataloader.dataset.data_prefix={fake_cifar10}',
            'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
            'train_cfg.max_iters=2', 'param_scheduler.architecture.0.end=1',
            'param_scheduler.architecture.1.begin=1',
            'param_scheduler.generator.end=1', 'val_cfg=None',
            'val_dataloader=None', 'val_evaluator=None',
            'default_hooks.logger.interval=1'
        ],
        cwd=str(tmp_path),
        context=accept_fake_cifar10)
    output = ranks[0].output
    assert [rank.returncode for rank in ranks] == [0, 0], (
        output[-3000:] + ranks[1].output[-3000:])
    assert 'Distributed training: True' in output
    assert 'DataFreeDistributedDataParallel' in output
    checkpoint = torch.load(work_dir / 'iter_2.pth', weights_only=False)
    keys = checkpoint['state_dict'].keys()
    assert any(k.startswith('generator.linear.') for k in keys)
    assert not any('.module.' in k for k in keys)
