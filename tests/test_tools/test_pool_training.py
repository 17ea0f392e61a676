# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The replay pool in real training: exact resume after a kill (with and
without the recipe's EMA), and one pool shared by DDP ranks (in the DDP
end-to-end test, test_dist.py)."""
import os.path as osp
import signal

import pytest
import torch

from mmrazor_dfad.testing._internal.fresh_process import train_in_fresh_process
from mmrazor_dfad.testing._internal.tool_runs import run_train

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REPLAY_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_replay-priors-tv_lenet5_lenet5half_1xb256_fashionmnist.py')
EMA_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_replay-priors-tv-ema_lenet5_lenet5half_1xb256_fashionmnist.py')
TINY = [
    'train_dataloader.batch_size=8', 'train_cfg.max_iters=6', 'val_cfg=None',
    'val_dataloader=None', 'val_evaluator=None',
    'default_hooks.checkpoint.interval=2', 'randomness.seed=3',
    'custom_hooks=[]', 'model.pool.capacity=32'
]

pytestmark = pytest.mark.integration


def args(config, work_dir, options, *extra):
    return [
        config, '--work-dir',
        str(work_dir), *extra, '--cfg-options', *options
    ]


def kill_and_resume(config, options, tmp_path):
    """An uninterrupted run (here), a run killed while writing its second
    checkpoint (a fresh process) and its resume (here): the loaded final
    checkpoints of the first and the last."""
    run_train(args(config, tmp_path / 'reference', options), cwd=REPO_ROOT)
    crashed = train_in_fresh_process(
        args(config, tmp_path / 'run', options),
        'kill-write',
        2,
        cwd=REPO_ROOT)
    assert crashed.returncode == -signal.SIGKILL, crashed.output[-3000:]
    run_train(
        args(config, tmp_path / 'run', options, '--resume'), cwd=REPO_ROOT)
    return [
        torch.load(tmp_path / run / 'iter_6.pth', weights_only=False)
        for run in ('reference', 'run')
    ]


def assert_equal_states(expected, actual):
    """Equal keys, bit-equal tensors, equal other values (the pool's extra
    state is a dict)."""
    assert expected.keys() == actual.keys()
    for key, value in expected.items():
        if isinstance(value, torch.Tensor):
            assert torch.equal(value, actual[key]), key
        else:
            assert value == actual[key], key


def test_kill_and_resume_with_the_pool_equals_an_uninterrupted_run(tmp_path):
    reference, resumed = kill_and_resume(REPLAY_CONFIG, TINY, tmp_path)
    expected, actual = reference['state_dict'], resumed['state_dict']
    # 6 generator updates of 8 images into 32 slots: filled and wrapped.
    assert int(expected['pool.size']) == 32
    assert_equal_states(expected, actual)


def test_kill_and_resume_of_the_ema_recipe_equals_an_uninterrupted_run(
        tmp_path):
    # The recipe's hooks (EMA from iteration 3 of 6, so the resumed run
    # starts averaging), few small student updates.
    options = [o for o in TINY if o != 'custom_hooks=[]'] + [
        'custom_hooks.1.momentum=0.5', 'custom_hooks.1.begin_iter=3',
        'model.student_iter=2', 'model.student_batch_size=4'
    ]
    expected, actual = kill_and_resume(EMA_CONFIG, options, tmp_path)
    key = 'architecture.head.fc.weight'
    # Averaged (state_dict) and raw (ema_state_dict) weights differ, and
    # both are those of the uninterrupted run.
    assert not torch.equal(expected['state_dict'][key],
                           expected['ema_state_dict'][f'module.{key}'])
    for name in ('state_dict', 'ema_state_dict'):
        assert_equal_states(expected[name], actual[name])


IMPRESSIONS_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py')


def test_kill_and_resume_with_data_impressions_equals_an_uninterrupted_run(
        tmp_path):
    # A bank before training (persistent region), more images every 2
    # iterations, generator augmentation and the soft-target prior.
    options = [o for o in TINY if o != 'custom_hooks=[]'] + [
        'custom_hooks.1.momentum=0.5', 'custom_hooks.1.begin_iter=3',
        'custom_hooks.2.bank_size=12', 'custom_hooks.2.interval=2',
        'custom_hooks.2.images_per_interval=4',
        'custom_hooks.2.synthesizer.steps=3',
        'custom_hooks.2.synthesizer.batch_size=8',
        'model.pool.persistent_capacity=12', 'model.student_iter=2',
        'model.student_batch_size=4'
    ]
    expected, actual = kill_and_resume(IMPRESSIONS_CONFIG, options, tmp_path)
    state = expected['state_dict']
    # The bank fills the persistent region once (the resumed run makes no
    # second one); 6 generator batches of 8 and 3 syntheses of 4 wrapped
    # the 32 first-in-first-out slots.
    assert int(state['pool.persistent_size']) == 12
    assert int(state['pool.size']) == 32
    assert int(state['generator_augmentation.draws']) == 6
    for name in ('state_dict', 'ema_state_dict'):
        assert_equal_states(expected[name], actual[name])
