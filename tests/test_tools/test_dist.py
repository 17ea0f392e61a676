# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Two processes on localhost with gloo: DDP on the CPU, through
``tools/dist_train.sh`` (torchrun) and for MMRazor's own DAFL config."""
import glob
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch

from mmrazor_dfad.testing import accept_fake_cifar10, free_port
from mmrazor_dfad.testing._internal.fresh_process import (run_distributed,
                                                          start_distributed)
from mmrazor_dfad.testing._internal.latent_draws import (DRAWS_DIR_VARIABLE,
                                                         read_latent_draws,
                                                         recorded_latent_draws)
from mmrazor_dfad.testing._internal.mmrazor_reference import MMRAZOR_CONFIGS

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


@pytest.mark.e2e
def test_two_process_resume_keeps_each_rank_on_its_own_noise(
        tmp_path, tiny_mnist, assert_same_student):
    """MMEngine saves rank 0's state and loads it on every rank: after a
    kill and a resume each rank must continue its own latent stream, and
    the resumed run must equal the uninterrupted one."""
    options = [o for o in tiny_mnist.options if 'max_iters' not in o]

    def args(work_dir, *extra):
        return [
            tiny_mnist.config, '--work-dir',
            str(work_dir), *extra, '--cfg-options', 'train_cfg.max_iters=4',
            *options
        ]

    def draws(draws_dir):
        return [read_latent_draws(draws_dir, rank) for rank in (0, 1)]

    def env(draws_dir):
        os.makedirs(draws_dir, exist_ok=True)
        return {DRAWS_DIR_VARIABLE: str(draws_dir)}

    def succeeded(ranks):
        assert [rank.returncode for rank in ranks] == [0, 0], (
            ranks[0].output[-3000:] + ranks[1].output[-3000:])

    succeeded(
        run_distributed(
            'train',
            args(tmp_path / 'uninterrupted'),
            cwd=tiny_mnist.cwd,
            env=env(tmp_path / 'u'),
            context=recorded_latent_draws))
    # Both ranks SIGKILL themselves after iteration 2 (saved at 2).
    killed = start_distributed(
        'train',
        args(tmp_path / 'resumed'),
        fault='kill-after-iter',
        number=2,
        cwd=tiny_mnist.cwd,
        env=env(tmp_path / 'before'),
        context=recorded_latent_draws)
    try:
        assert [rank.wait(300).returncode
                for rank in killed] == [-signal.SIGKILL] * 2
    finally:
        for rank in killed:
            rank.kill()
    assert osp.isfile(tmp_path / 'resumed' / 'iter_2.pth')
    succeeded(
        run_distributed(
            'train',
            args(tmp_path / 'resumed', '--resume'),
            cwd=tiny_mnist.cwd,
            env=env(tmp_path / 'after'),
            context=recorded_latent_draws))

    uninterrupted = draws(tmp_path / 'u')
    before, after = draws(tmp_path / 'before'), draws(tmp_path / 'after')
    for rank0, rank1 in (before, after):
        assert rank0 and len(rank0) == len(rank1)
        assert not set(rank0) & set(rank1), 'two ranks drew the same noise'
    for rank in (0, 1):
        assert before[rank] + after[rank] == uninterrupted[rank], rank
    assert_same_student(tmp_path / 'uninterrupted' / 'iter_4.pth',
                        tmp_path / 'resumed' / 'iter_4.pth')


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
