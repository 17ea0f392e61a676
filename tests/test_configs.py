# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmrazor_dfad.models import DataFreeDistillation
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.utils.run_setup import (use_alternating_optim_wrapper,
                                          use_cpu_capable_model_wrapper,
                                          use_data_free_train_loader,
                                          use_safe_checkpoint_hook)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ALL_CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
EXPERIMENTS = [path for path in ALL_CONFIGS if '_base_' not in path]
# The data-free algorithms' configs (the others: teachers and baselines).
ALGORITHM_DIRS = ('dfad', 'dafl', 'zskt', 'mmpretrain', 'segmentation',
                  'ablations')
SEGMENTATION_TEACHERS = osp.join('configs', 'segmentation', 'teachers')
# Segmentors trained with labels: plain MMSeg configs.
SUPERVISED_SEGMENTATION = (SEGMENTATION_TEACHERS,
                           osp.join('configs', 'segmentation', 'students'))
DFAD_CONFIGS = [
    path for path in EXPERIMENTS
    if osp.basename(osp.dirname(path)) in ALGORITHM_DIRS
]


@pytest.mark.parametrize(
    'path', ALL_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_loads(path):
    cfg = Config.fromfile(path)
    if path in EXPERIMENTS:
        # Segmentors trained with labels train as plain MMSeg configs.
        supervised = any(folder in path for folder in SUPERVISED_SEGMENTATION)
        assert cfg.default_scope == ('mmseg' if supervised else 'mmrazor_dfad')
    if path in DFAD_CONFIGS:
        expected = 'DAFLDataFreeDistillation' if '/dafl/' in path else \
            'DataFreeDistillation'
        assert cfg.model.type == expected


@pytest.mark.parametrize(
    'path', [p for p in EXPERIMENTS if p not in DFAD_CONFIGS],
    ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_teacher_and_baseline_models_build(path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)  # committed teacher checkpoints
    cfg = Config.fromfile(path)
    init_default_scope(cfg.default_scope)
    if cfg.model.get('teacher_ckpt') and not osp.isfile(
            cfg.model.teacher_ckpt):
        # A teacher trained by a config, not shipped yet: random weights.
        cfg.model.teacher_ckpt = None
    model = MODELS.build(cfg.model)
    student = getattr(model, 'architecture', model)
    if 'train_dataloader' in cfg and 'metainfo' in \
            cfg.train_dataloader.dataset:
        logits = student(torch.randn(2, 3, 64, 64), mode='tensor')
        classes = cfg.train_dataloader.dataset.metainfo['classes']
        assert logits.shape[:2] == (2, len(classes))
        return
    images = torch.randn(2, 1, 32, 32)
    assert student(images, mode='tensor').shape == (2, 10)


@pytest.mark.parametrize(
    'path', DFAD_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_experiment_model_builds(path, tmp_path):
    cfg = Config.fromfile(path)
    init_default_scope(cfg.default_scope)
    # Replace the teacher checkpoints (URLs, not reachable offline) by
    # random weights of the same architecture.
    for name, teacher in cfg.model.teachers.items():
        built = MODELS.build(teacher.build_cfg)
        ckpt = tmp_path / f'{name}.pth'
        torch.save(dict(state_dict=built.state_dict()), ckpt)
        teacher.ckpt_path = str(ckpt)
    model = MODELS.build(cfg.model)
    assert isinstance(model, DataFreeDistillation)
    images = model.generator(batch_size=2)
    assert model.student(images, mode='tensor').shape[0] == 2


def test_cifar_config_has_the_seed_hyper_parameters():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'dfad',
                 'dfad_logits_resnet34_resnet18_8xb32_cifar10.py'))
    assert cfg.model.teachers.res34.ckpt_path == (
        'https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet34_b16x8_cifar10_20210528-a8aa36a6.pth')
    assert cfg.model.generator.latent_dim == 256
    assert cfg.model.generator.hidden_channels == 128
    assert cfg.model.student_iter == 5
    student_optim = cfg.optim_wrapper.architecture.optimizer
    assert (student_optim.type, student_optim.lr, student_optim.momentum,
            student_optim.weight_decay) == ('SGD', 0.1, 0.9, 5e-4)
    assert cfg.optim_wrapper.generator.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.generator.optimizer.lr == 1e-3
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.train_dataloader.dataset.type == 'DataFreeDataset'
    assert cfg.train_cfg.max_iters == 25000
    assert cfg.train_cfg.val_interval == 250
    for side in ('architecture', 'generator'):
        assert cfg.param_scheduler[side][0].milestones == [5000, 10000]
    # Validation: 5,000 images held out from the training split; the test
    # split is the test loader's.
    assert cfg.val_dataloader.dataset.data_prefix == 'data/cifar10'
    assert cfg.val_dataloader.dataset.test_mode is False
    assert cfg.val_dataloader.dataset.indices == 5000
    assert cfg.test_dataloader.dataset.test_mode is True
    assert cfg.val_evaluator.topk == (1, 5)


def test_camvid_config_has_the_papers_setting():
    cfg = Config.fromfile(
        osp.join(
            REPO_ROOT, 'configs', 'segmentation',
            'dfad_deeplabv3-r50_deeplabv3-mbv2_1xb64-15k_camvid-128px.py'))
    generator = cfg.model.generator
    assert (generator.type, generator.img_size, generator.latent_dim,
            generator.hidden_channels) == ('DCGANGenerator', 128, 256, 512)
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.model.student_iter == 5 and cfg.model.student_train_first
    student_optim = cfg.optim_wrapper.architecture.optimizer
    assert (student_optim.type, student_optim.lr, student_optim.momentum,
            student_optim.weight_decay) == ('SGD', 0.1, 0.9, 5e-4)
    assert cfg.optim_wrapper.generator.optimizer.type == 'Adam'
    assert cfg.optim_wrapper.generator.optimizer.lr == 1e-3
    # 300 "epochs" of 50 iterations, x0.1 after epochs 100 and 200, counted
    # in iterations.
    assert cfg.train_cfg.max_iters == 15000
    assert cfg.train_cfg.val_interval == 50
    for side in ('architecture', 'generator'):
        (scheduler, ) = cfg.param_scheduler[side]
        assert (scheduler.type, scheduler.by_epoch, scheduler.milestones,
                scheduler.gamma) == ('MultiStepLR', False, [5000, 10000], 0.1)
    assert cfg.data_preprocessor.mean == cfg.data_preprocessor.std == [127.5
                                                                       ] * 3
    assert generator.pixel_normalization.mean == cfg.data_preprocessor.mean


def test_camvid_config_switches_to_the_dafl_generator_in_one_line():
    """The override docs/segmentation.md gives, parsed as tools/train.py
    parses it."""
    import argparse

    from mmengine.config import DictAction
    docs = open(osp.join(REPO_ROOT, 'docs', 'segmentation.md')).read()
    (line, ) = [
        line for line in docs.splitlines()
        if line.startswith('--cfg-options model.generator.type=')
    ]
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(
        osp.join(
            REPO_ROOT, 'configs', 'segmentation',
            'dfad_deeplabv3-r50_deeplabv3-mbv2_1xb64-15k_camvid-128px.py'))
    cfg.merge_from_dict(parser.parse_args(line.split()).cfg_options)
    init_default_scope('mmrazor_dfad')
    generator = MODELS.build(cfg.model.generator)
    assert type(generator).__name__ == 'DAFLGenerator'
    assert generator.upsample_stages == 4
    assert generator(batch_size=2).shape == (2, 3, 128, 128)


def split_read(dataset):
    """What a dataset config reads, as ``(dataset, folder, part)``; None for
    the label-free sets (generated images, no real labels)."""
    if not dataset:
        return None
    kind = str(dataset.get('type', '')).split('.')[-1]
    if kind in ('DataFreeDataset', 'GeneratedBankDataset'):
        return None
    prefix = dataset.get('data_prefix') or ''
    if isinstance(prefix, dict) and 'img_path' in prefix:
        return (kind, osp.normpath(dataset['data_root']), prefix['img_path'])
    if kind == 'CamVidDataset':
        return (kind, osp.normpath(dataset['data_root']), dataset['split'])
    root = osp.normpath(osp.join(dataset.get('data_root') or '', prefix))
    if kind in ('MNIST', 'FashionMNIST'):
        # MMCls and MMPretrain read t10k-* or train-* of the folder by
        # test_mode.
        return (kind, root, 't10k' if dataset['test_mode'] else 'train')
    if kind == 'CIFAR10':
        return (kind, root, 'test_batch' if dataset['test_mode'] else
                f"data_batch[:{dataset.get('indices')}]")
    raise AssertionError(f'split_read does not know {kind}: teach it which '
                         'files the dataset reads')


def is_test_split(read):
    """Whether ``read`` is a dataset's test split (the images only
    tools/test.py and a benchmark's final test may read)."""
    kind, folder, part = read
    if kind in ('MNIST', 'FashionMNIST'):
        # <root>/val/t10k-* are validation images held out from training.
        return part == 't10k' and osp.basename(folder) != 'val'
    if kind == 'CIFAR10':
        return part == 'test_batch'
    if kind == 'CamVidDataset':
        return part == 'test'
    return part.rstrip('/').endswith('test')  # img_dir/test


@pytest.mark.parametrize(
    'path', EXPERIMENTS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_no_config_validates_on_the_test_split(path):
    cfg = Config.fromfile(path)
    val = split_read((cfg.get('val_dataloader') or {}).get('dataset'))
    test = split_read((cfg.get('test_dataloader') or {}).get('dataset'))
    train = split_read((cfg.get('train_dataloader') or {}).get('dataset'))
    if val is None:  # label-free validation (generated bank), or none
        return
    # Validation, early stopping and best checkpoints read a split held out
    # from the training images; the test split is the test loader's alone.
    assert not is_test_split(val), (val, test)
    assert test is not None and is_test_split(test), test
    assert val != test
    # Configs that train on real images train on what validation does not
    # read.
    assert train is None or train != val
    if train is not None and train[0] in ('MNIST', 'FashionMNIST'):
        assert train == val[:2] + ('train', ), (train, val)


@pytest.mark.parametrize(
    'path', EXPERIMENTS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_train_swaps_nothing_in_the_project_configs(path):
    # tools/train.py swaps types in foreign configs (MMRazor's, MMEngine's
    # CheckpointHook) and logs it; this package's configs name the types
    # themselves, so the config read is the config that runs.
    cfg = Config.fromfile(path)
    for swap in (use_data_free_train_loader, use_safe_checkpoint_hook,
                 use_alternating_optim_wrapper, use_cpu_capable_model_wrapper):
        assert swap(cfg) is None, swap(cfg)


def test_config_names_are_unique():
    # `mim train mmrazor_dfad NAME.py` finds a config by its file name.
    names = [osp.basename(path) for path in EXPERIMENTS]
    assert sorted(set(names)) == sorted(names), sorted(
        name for name in set(names) if names.count(name) > 1)
