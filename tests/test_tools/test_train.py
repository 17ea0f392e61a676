# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Real CIFAR-10 configs through tools/train.py's and tools/test.py's code
(in this process): ours trains, resumes and tests (the classification
task's end-to-end test), MMRazor's own configs and the replay recipe train."""
import os
import os.path as osp
import shutil

import pytest
import torch

from mmrazor_dfad.testing._internal.mmrazor_reference import MMRAZOR_CONFIGS
from mmrazor_dfad.testing._internal.tool_runs import (read_scalars, run_test,
                                                      run_train)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CIFAR_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_resnet34_resnet18_8xb32_cifar10.py')


def cifar_overrides(data_root, teacher, iters):
    return [
        f'model.teachers.res34.ckpt_path={teacher}',
        'train_dataloader.batch_size=4',
        f'train_cfg.max_iters={iters}',
        'train_cfg.val_interval=2',
        f'val_dataloader.dataset.data_prefix={data_root}',
        'val_dataloader.num_workers=0',
        f'test_dataloader.dataset.data_prefix={data_root}',
        'test_dataloader.num_workers=0',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=2',
        # A ResNet-34 teacher on 256 generated images takes longer than the
        # training; the check itself: test_teacher_and_guard.py.
        'default_hooks.teacher_check.num_images=8',
    ]


@pytest.mark.e2e
def test_cifar_config_trains_resumes_and_tests(fake_cifar10,
                                               random_resnet34_ckpt, tmp_path):
    work_dir = str(tmp_path / 'work')
    teacher_before = torch.load(random_resnet34_ckpt)['state_dict']
    runner = run_train([
        CIFAR_CONFIG, '--work-dir', work_dir, '--cfg-options',
        *cifar_overrides(fake_cifar10, random_resnet34_ckpt, 2)
    ])
    assert runner.iter == 2
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    scalars = read_scalars(work_dir)
    train_logs = [row for row in scalars if 'distill.loss' in row]
    assert [row['iter'] for row in train_logs] == [1, 2]
    for row in train_logs:
        assert row['distill.loss_l1'] > 0 > row['generator.loss_l1']
        assert row['architecture.lr'] == pytest.approx(0.1)
        assert row['generator.lr'] == pytest.approx(1e-3)
    assert any('accuracy/top1' in row and 'accuracy/top5' in row
               for row in scalars)
    # The teacher inside the trained model is still the one loaded.
    teacher = runner.model.teachers['res34'].state_dict()
    for key, value in teacher_before.items():
        assert torch.equal(teacher[key].cpu(), value), key

    # --resume continues from iteration 2 (torch 2.x weights_only loading).
    runner = run_train([
        CIFAR_CONFIG, '--work-dir', work_dir, '--resume', '--cfg-options',
        *cifar_overrides(fake_cifar10, random_resnet34_ckpt, 3)
    ])
    assert runner.iter == 3
    resumed = [
        row['iter'] for row in read_scalars(work_dir) if 'distill.loss' in row
    ]
    assert resumed == [3]

    # tools/test.py evaluates the student of the checkpoint.
    metrics = run_test([
        CIFAR_CONFIG,
        osp.join(work_dir, 'iter_3.pth'), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options',
        *cifar_overrides(fake_cifar10, random_resnet34_ckpt, 3)
    ])
    assert set(metrics) == {'accuracy/top1', 'accuracy/top5'}


def mmrazor_config_with_our_scope(name, tmp_path):
    """MMRazor's installed data-free config ``name`` with only its model's
    ``_scope_`` changed to ours."""
    import mmrazor
    source = osp.join(
        osp.dirname(mmrazor.__file__), '.mim', 'configs',
        MMRAZOR_CONFIGS[name])
    text = open(source).read()
    assert text.count("_scope_='mmrazor'") == 1
    config = tmp_path / f'mmrazor_{name}_our_scope.py'
    config.write_text(
        text.replace("_scope_='mmrazor'", "_scope_='mmrazor_dfad'"))
    return str(config)


def offline_cifar_folder(fake_cifar10, random_resnet34_ckpt, tmp_path,
                         monkeypatch):
    """Offline: the teacher URL resolves to a random ResNet-34 in the torch
    hub cache, and data/cifar10 (relative to the working directory) to the
    fake folder."""
    hub = tmp_path / 'torch_home' / 'hub' / 'checkpoints'
    hub.mkdir(parents=True)
    shutil.copy(random_resnet34_ckpt,
                hub / 'resnet34_b16x8_cifar10_20210528-a8aa36a6.pth')
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    os.makedirs(tmp_path / 'data')
    os.symlink(fake_cifar10, tmp_path / 'data' / 'cifar10')
    monkeypatch.chdir(tmp_path)


@pytest.mark.integration
@pytest.mark.parametrize(
    'name,expected_type,options',
    [
        ('dfad', 'DataFreeDistillation', ['train_dataloader.batch_size=4']),
        # Its warm-up lasts 500 iterations; the test's two need a shorter one.
        ('dafl', 'DAFLDataFreeDistillation', [
            'train_dataloader.batch_size=8',
            'param_scheduler.architecture.0.end=1',
            'param_scheduler.architecture.1.begin=1',
            'param_scheduler.generator.end=1'
        ]),
        ('zskt', 'DataFreeDistillation',
         ['train_dataloader.batch_size=4', 'model.student_iter=2']),
    ])
def test_mmrazor_own_configs_with_only_the_scope_changed(
        name, expected_type, options, fake_cifar10, random_resnet34_ckpt,
        tmp_path, monkeypatch):
    config = mmrazor_config_with_our_scope(name, tmp_path)
    offline_cifar_folder(fake_cifar10, random_resnet34_ckpt, tmp_path,
                         monkeypatch)
    runner = run_train([
        config, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', 'train_cfg.max_iters=2',
        'default_hooks.logger.interval=1', 'train_dataloader.num_workers=0',
        'val_dataloader.num_workers=0', *options
    ])
    assert type(runner.model).__module__.startswith('mmrazor_dfad.')
    assert type(runner.model).__name__ == expected_type
    assert runner.iter == 2
    train_logs = [
        row for row in read_scalars(str(tmp_path / 'work'))
        if 'distill.loss' in row
    ]
    assert len(train_logs) == 2
    if name == 'dafl':
        # DAFL's generator is no adversary: its terms are logged one by one.
        assert all('generator.loss_res34_oh' in row for row in train_logs)
    else:
        assert all(row['generator.loss'] < 0 for row in train_logs)


@pytest.mark.integration
def test_cifar_replay_recipe_trains_two_iterations(fake_cifar10,
                                                   random_resnet34_ckpt,
                                                   tmp_path):
    # The replay-priors-tv recipe on the real CIFAR-10 config (ResNet-34 ->
    # ResNet-18), shrunk to CPU size: pool, priors and masked adversary all
    # run and are logged.
    config = osp.join(
        REPO_ROOT, 'configs', 'dfad',
        'dfad_replay-priors-tv_resnet34_resnet18_8xb32_cifar10.py')
    work_dir = str(tmp_path / 'work')
    runner = run_train([
        config, '--work-dir', work_dir, '--cfg-options',
        *cifar_overrides(fake_cifar10, random_resnet34_ckpt, 2),
        'model.student_iter=2', 'model.pool.capacity=16'
    ])
    assert runner.iter == 2
    train_logs = [
        row for row in read_scalars(work_dir) if 'distill.loss' in row
    ]
    assert [row['iter'] for row in train_logs] == [1, 2]
    for key in ('generator.loss_adv', 'generator.loss_onehot',
                'generator.loss_balance', 'generator.loss_tv'):
        assert all(key in row for row in train_logs), key
    assert runner.model.pool.size.item() == 8  # two generator batches of 4
