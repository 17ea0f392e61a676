# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What keeps MMRazor's data-free configs offline: the training dataset the
algorithm never reads is replaced, a teacher with a checkpoint downloads no
pretrained weights, and a download that fails is told in one line."""
import copy
import logging

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope

from mmrazor_dfad.models.algorithms.building import (build_teacher,
                                                     drop_pretrained_init)
from mmrazor_dfad.testing import save_random_classifier
from mmrazor_dfad.testing._internal.mmrazor_reference import mmrazor_config
from mmrazor_dfad.testing._internal.offline import network_disabled
from mmrazor_dfad.utils.downloads import DownloadFailed, download_failures_told
from mmrazor_dfad.utils.run_setup import use_data_free_train_loader

RESNET18 = 'mmcls::resnet/resnet18_8xb16_cifar10.py'


@pytest.fixture(scope='module')
def resnet18_ckpt(tmp_path_factory):
    return save_random_classifier(
        RESNET18, str(tmp_path_factory.mktemp('r18') / 'resnet18.pth'))


@pytest.fixture
def log_lines():
    """The INFO lines MMEngine's current logger writes during the test."""
    lines = []

    class Collect(logging.Handler):

        def emit(self, record):
            lines.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    handler = Collect(level=logging.INFO)
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize('name', ['dfad', 'dafl', 'zskt'])
def test_mmrazor_cifar_train_loader_becomes_data_free(name):
    cfg = mmrazor_config(name)
    cfg.model._scope_ = 'mmrazor_dfad'
    batch_size = cfg.train_dataloader.batch_size
    sampler = copy.deepcopy(cfg.train_dataloader.sampler)
    note = use_data_free_train_loader(cfg)
    assert note.startswith('train_dataloader: CIFAR10 replaced by '
                           f'DataFreeDataset (batch_size {batch_size} kept')
    loader = cfg.train_dataloader
    assert loader.batch_size == batch_size and loader.sampler == sampler
    assert loader.num_workers == 0
    # Built from MMRazor's default scope (mmcls), it is ours, with the
    # class names CIFAR-10 would have given the checkpoints' meta.
    from mmengine.registry import DATASETS
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        dataset = DATASETS.build(loader.dataset)
    assert type(dataset).__name__ == 'DataFreeDataset'
    assert dataset.metainfo['classes'][:2] == ('airplane', 'automobile')


def test_other_train_loaders_are_left_alone():
    # MMRazor's own algorithm (scope mmrazor) reads what it reads.
    theirs = mmrazor_config('dfad')
    assert use_data_free_train_loader(theirs) is None
    assert theirs.train_dataloader.dataset.type == 'CIFAR10'
    # A distillation that trains on real images.
    kd = Config(
        dict(
            model=dict(type='mmrazor.SingleTeacherDistill'),
            train_dataloader=dict(dataset=dict(type='CIFAR10'))))
    assert use_data_free_train_loader(kd) is None
    # Already data-free.
    ours = Config(
        dict(
            default_scope='mmrazor_dfad',
            model=dict(type='DataFreeDistillation'),
            train_dataloader=dict(dataset=dict(type='DataFreeDataset'))))
    assert use_data_free_train_loader(ours) is None


def test_teacher_with_a_checkpoint_downloads_no_pretrained_weights(
        resnet18_ckpt, log_lines):
    cfg = dict(
        build_cfg=dict(cfg_path=RESNET18, pretrained=True),
        ckpt_path=resnet18_ckpt)
    with network_disabled() as attempts, \
            DefaultScope.overwrite_default_scope('mmrazor_dfad'):
        teacher = build_teacher('res18', cfg)
    assert attempts == []
    assert "Teacher 'res18': not downloading its pretrained weights " \
        f"(build_cfg.pretrained=True): ckpt_path '{resnet18_ckpt}' " \
        'replaces them.' in log_lines
    expected = torch.load(resnet18_ckpt)['state_dict']
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, expected[key]), key


def test_pretrained_init_cfg_is_dropped_when_a_checkpoint_replaces_it(
        resnet18_ckpt, log_lines):
    url = 'https://download.example.org/resnet18.pth'
    from mmengine.hub import get_config
    build_cfg = get_config(RESNET18).model.to_dict()
    build_cfg['_scope_'] = 'mmcls'
    build_cfg['backbone']['init_cfg'] = dict(type='Pretrained', checkpoint=url)
    with network_disabled() as attempts, \
            DefaultScope.overwrite_default_scope('mmrazor_dfad'):
        build_teacher('res18',
                      dict(build_cfg=build_cfg, ckpt_path=resnet18_ckpt))
    assert attempts == []
    assert any(f'init_cfg Pretrained of backbone: {url}' in line
               for line in log_lines)

    # A list of init_cfgs keeps the other entries.
    module = torch.nn.Linear(2, 2)
    module.init_cfg = [
        dict(type='Pretrained', checkpoint=url),
        dict(type='Constant', val=0)
    ]
    assert drop_pretrained_init(module) == [
        f'init_cfg Pretrained of the model: {url}'
    ]
    assert module.init_cfg == [dict(type='Constant', val=0)]


def test_teacher_download_that_fails_says_the_fix_in_one_line():
    cfg = dict(build_cfg=dict(cfg_path=RESNET18, pretrained=True))
    with network_disabled(), \
            DefaultScope.overwrite_default_scope('mmrazor_dfad'), \
            pytest.raises(DownloadFailed) as error:
        build_teacher('res18', cfg)
    message = str(error.value)
    assert '\n' not in message
    assert message.startswith("Could not download teacher 'res18''s "
                              'pretrained weights (https://')
    assert 'URLError' in message
    assert message.endswith("set model.teachers['res18'].ckpt_path to the "
                            'file (a ckpt_path skips the pretrained '
                            'download).')


def test_dataset_download_that_fails_says_the_fix_in_one_line(tmp_path):
    from mmcls.datasets import CIFAR10
    with network_disabled(), pytest.raises(DownloadFailed) as error, \
            download_failures_told():
        CIFAR10(
            data_prefix=str(tmp_path / 'cifar10'),
            test_mode=True,
            download=True)
    message = str(error.value)
    assert '\n' not in message
    assert message.startswith('Could not download a dataset of the config '
                              '(http://www.cs.toronto.edu/')
    assert 'val_dataloader.dataset.data_prefix=DIR' in message
    assert 'val_cfg=None val_dataloader=None val_evaluator=None' in message
