# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The replay pool in real training: exact resume, and DDP."""
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch

from mmrazor_dfad.testing import free_port

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPLAY_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_replay-priors-tv_lenet5_lenet5half_1xb256_fashionmnist.py')
EMA_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_replay-priors-tv-ema_lenet5_lenet5half_1xb256_fashionmnist.py')
FAULTS = osp.join(REPO_ROOT, 'tests', 'fault_injection.py')
TINY = [
    'train_dataloader.batch_size=8', 'train_cfg.max_iters=6', 'val_cfg=None',
    'val_dataloader=None', 'val_evaluator=None',
    'default_hooks.checkpoint.interval=2', 'randomness.seed=3',
    'custom_hooks=[]', 'model.pool.capacity=32'
]


def train(work_dir,
          fault='none',
          extra=(),
          config=REPLAY_CONFIG,
          options=TINY):
    return subprocess.run([
        sys.executable, FAULTS, fault, '2', '--', config, '--work-dir',
        str(work_dir), *extra, '--cfg-options', *options
    ],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=600)


def state(path):
    return torch.load(path, weights_only=False)['state_dict']


@pytest.mark.slow
def test_kill_and_resume_with_the_pool_equals_an_uninterrupted_run(tmp_path):
    reference = train(tmp_path / 'reference')
    assert reference.returncode == 0, reference.stderr[-3000:]
    crashed = train(tmp_path / 'run', 'kill-write')
    assert crashed.returncode == -signal.SIGKILL
    resumed = train(tmp_path / 'run', extra=['--resume'])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    expected = state(tmp_path / 'reference' / 'iter_6.pth')
    actual = state(tmp_path / 'run' / 'iter_6.pth')
    # 6 generator updates of 8 images into 32 slots: filled and wrapped.
    assert int(expected['pool.size']) == 32
    assert expected.keys() == actual.keys()
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key


@pytest.mark.slow
def test_kill_and_resume_of_the_ema_recipe_equals_an_uninterrupted_run(
        tmp_path):
    # The recipe's hooks (EMA from iteration 3 of 6, so the resumed run
    # starts averaging), few small student updates.
    options = [o for o in TINY if o != 'custom_hooks=[]'] + [
        'custom_hooks.1.momentum=0.5', 'custom_hooks.1.begin_iter=3',
        'model.student_iter=2', 'model.student_batch_size=4'
    ]
    reference = train(
        tmp_path / 'reference', config=EMA_CONFIG, options=options)
    assert reference.returncode == 0, reference.stderr[-3000:]
    crashed = train(
        tmp_path / 'run', 'kill-write', config=EMA_CONFIG, options=options)
    assert crashed.returncode == -signal.SIGKILL
    resumed = train(
        tmp_path / 'run',
        extra=['--resume'],
        config=EMA_CONFIG,
        options=options)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    expected = torch.load(
        tmp_path / 'reference' / 'iter_6.pth', weights_only=False)
    actual = torch.load(tmp_path / 'run' / 'iter_6.pth', weights_only=False)
    key = 'architecture.head.fc.weight'
    # Averaged (state_dict) and raw (ema_state_dict) weights differ, and
    # both are those of the uninterrupted run.
    assert not torch.equal(expected['state_dict'][key],
                           expected['ema_state_dict'][f'module.{key}'])
    for name in ('state_dict', 'ema_state_dict'):
        assert expected[name].keys() == actual[name].keys()
        for key in expected[name]:
            assert torch.equal(expected[name][key], actual[name][key]), key


@pytest.mark.slow
def test_two_gloo_processes_share_one_pool(tmp_path):
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1')
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    options = [o for o in TINY if not o.startswith(('train_', 'model.pool'))]
    result = subprocess.run([
        'bash',
        osp.join(REPO_ROOT, 'tools',
                 'dist_train.sh'), REPLAY_CONFIG, '2', '--work-dir',
        str(tmp_path), '--cfg-options', *options,
        'train_dataloader.batch_size=4', 'train_cfg.max_iters=2',
        'model.pool.capacity=100'
    ],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    pool_size = int(state(tmp_path / 'iter_2.pth')['pool.size'])
    # The recipe fills the pool from generator updates only: 4 images per
    # rank and iteration. Each rank adds both ranks' images, so after 2
    # iterations each pool holds 2 x 2 x 4 (one process alone: 8).
    assert pool_size == 2 * 2 * 4
