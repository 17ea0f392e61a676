# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""``tools/train.py``'s command line: what it changes in the config, and
what it refuses before a runner starts."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmrazor_dfad.apis import train as train_tool

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CIFAR_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_resnet34_resnet18_8xb32_cifar10.py')


def test_amp_switches_both_players():
    cfg = Config.fromfile(CIFAR_CONFIG)
    train_tool.enable_amp(cfg)
    for side in ('architecture', 'generator'):
        assert cfg.optim_wrapper[side].type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper[side].loss_scale == 'dynamic'
    assert cfg.optim_wrapper.constructor == \
        'AlternatingOptimWrapperConstructor'


def test_local_rank_spellings_and_cfg_options(tmp_path):
    for flag in ('--local_rank', '--local-rank'):
        args = train_tool.parse_args([CIFAR_CONFIG, flag, '0'])
        assert args.local_rank == 0
    args = train_tool.parse_args([
        CIFAR_CONFIG, '--work-dir',
        str(tmp_path), '--resume', '--cfg-options', 'model.student_iter=3',
        'train_dataloader.batch_size=64'
    ])
    cfg = train_tool.build_config(args)
    assert cfg.model.student_iter == 3
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.work_dir == str(tmp_path)
    # Nothing to resume from yet: start from scratch.
    assert cfg.resume is False and cfg.load_from is None


def test_auto_scale_lr_needs_a_base_batch_size(tmp_path):
    args = train_tool.parse_args([
        CIFAR_CONFIG, '--auto-scale-lr', '--cfg-options', 'auto_scale_lr=None'
    ])
    with pytest.raises(ValueError, match='base_batch_size'):
        train_tool.build_config(args)


def test_train_with_resume_and_an_empty_work_dir_stops_before_training(
        tmp_path):
    # Stops while deciding what to resume from: no runner, nothing created.
    with pytest.raises(FileNotFoundError, match='--resume found the work dir'):
        train_tool.main([
            CIFAR_CONFIG, '--work-dir',
            str(tmp_path / 'mistyped'), '--resume'
        ])
    assert not osp.exists(tmp_path / 'mistyped')
