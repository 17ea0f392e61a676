# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the tasks own (models/tasks/): the data checks, the teacher checks,
the samples grid and the export's library; the hooks, tools and export ask
the task instead of testing which one they have."""
import logging
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmrazor_dfad.models.tasks import (LOADERS, BaseTask, ClassificationTask,
                                       SegmentationTask, build_task,
                                       check_data, task_of)
from mmrazor_dfad.visualization import default_palette


class Constant(nn.Module):
    """Logits that make class ``winner`` the argmax everywhere: per pixel
    (``(N, C, H, W)``) or per image (``pixels=False``: ``(N, C)``)."""

    def __init__(self, num_classes: int, winner: int = 0, pixels=True):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))
        self.num_classes, self.winner, self.pixels = (num_classes, winner,
                                                      pixels)

    def forward(self, images, mode='tensor'):
        n, _, h, w = images.shape
        shape = (n, self.num_classes, h,
                 w) if self.pixels else (n, self.num_classes)
        logits = torch.zeros(shape) + self.weight
        logits[:, self.winner] += 1
        return logits


class Runner:
    """What the teacher checks read from a runner: a logger and no
    validation."""

    def __init__(self):
        self.logger = logging.getLogger('task-test')
        self.val_loop = None


def idx_cfg(folder, loader='train_dataloader'):
    return {
        loader:
        dict(
            dataset=dict(
                type='mmcls.MNIST', data_prefix=str(folder), download=False))
    }


def seg_cfg(root, loader='val_dataloader'):
    return {
        loader:
        dict(
            dataset=dict(
                type='BaseSegDataset',
                data_root=str(root),
                data_prefix=dict(
                    img_path='img_dir/val', seg_map_path='ann_dir/val')))
    }


def test_each_task_checks_the_folders_of_its_own_datasets(tmp_path):
    idx, seg = idx_cfg(tmp_path / 'mnist'), seg_cfg(tmp_path / 'mosaic')
    with pytest.raises(
            FileNotFoundError,
            match='train_dataloader.dataset: '
            '.*prepare_mnist.py'):
        ClassificationTask().check_data(idx, LOADERS)
    with pytest.raises(
            FileNotFoundError,
            match='val_dataloader.dataset: the image folder'):
        SegmentationTask().check_data(seg, LOADERS)
    # Each leaves the other's datasets alone.
    assert ClassificationTask().check_data(seg, LOADERS) == []
    assert SegmentationTask().check_data(idx, LOADERS) == []


def test_a_config_is_checked_by_every_task_whatever_its_algorithm(tmp_path):
    # No model.task (MMRazor's KD, a plain segmentor, an exported student):
    # both kinds of folder are still checked.
    with pytest.raises(FileNotFoundError, match='val_dataloader.dataset'):
        check_data(idx_cfg(tmp_path / 'mnist', 'val_dataloader'))
    with pytest.raises(FileNotFoundError, match='train_dataloader.dataset'):
        check_data(seg_cfg(tmp_path / 'mosaic', 'train_dataloader'))
    # Before a training (no loaders named), each task picks: the test split
    # of an MNIST-style set is not read (its training folder holds its
    # files), that of a segmentation set is (prepared with the others).
    assert check_data(idx_cfg(tmp_path / 'mnist', 'test_dataloader')) == []
    with pytest.raises(FileNotFoundError, match='test_dataloader.dataset'):
        check_data(seg_cfg(tmp_path / 'mosaic', 'test_dataloader'))
    with pytest.raises(FileNotFoundError, match='test_dataloader.dataset'):
        check_data(
            idx_cfg(tmp_path / 'mnist', 'test_dataloader'),
            ('test_dataloader', ))
    # Only the dataloaders asked for.
    cfg = dict(**idx_cfg(tmp_path / 'mnist'),
               **seg_cfg(tmp_path / 'mosaic', 'test_dataloader'))
    assert check_data(cfg, ('val_dataloader', )) == []


def test_a_task_without_overrides_checks_nothing_and_draws_the_images():
    """What a new task (e.g. depth estimation) gets before it overrides
    anything: no data or teacher check, the plain images grid, and the
    abstract parts refused."""

    class DepthTask(BaseTask):

        def logits(self, model, images):
            return model(images, mode='tensor')

    task = DepthTask()
    assert task.check_data(idx_cfg('/nowhere'), LOADERS) == []
    with pytest.raises(NotImplementedError):
        task.export_library({}, None)
    with pytest.raises(NotImplementedError):
        task.pack_predictions(torch.zeros(1), torch.zeros(1), None)

    runner = Runner()
    messages = []
    runner.logger = SimpleNamespace(info=messages.append)
    # No generator, no teacher is touched.
    task.check_teachers(
        runner,
        None,
        num_images=4,
        min_confidence_ratio=1.5,
        max_val_images=10,
        min_top1_ratio=2.0,
        seed=0)
    assert messages == [
        'TeacherCheckHook: checks classifiers only; skipped for DepthTask '
        "(the validation reports the teacher's metrics)."
    ]

    # Each image stretched to [0, 1] on its own.
    images = torch.stack([torch.full((1, 4, 4), -5.0), torch.zeros(1, 4, 4)])
    images[0, 0, 0, 0], images[1, 0, 0, 0] = -3.0, 100.0
    grid = task.visualize_generated(None, images, nrow=2)
    assert grid.shape == (3, 4 + 4, 2 * 6 + 2)
    for tile in (grid[:, 2:6, 2:6], grid[:, 2:6, 8:12]):
        assert tile.min() == 0 and tile.max() == 1


@pytest.mark.parametrize('task', [ClassificationTask(), SegmentationTask()])
def test_a_teacher_of_other_classes_is_refused_through_the_task(task):
    teacher = Constant(3, pixels=isinstance(task, SegmentationTask)).train()
    classes = ('a', 'b', 'c', 'd', 'e')
    with pytest.raises(
            ValueError,
            match=r"Teacher 'tea' predicts 3 classes but the validation "
            r"dataset has 5 \(a, b, c, d, \.\.\.\).*model.teachers\['tea'\]"):
        task.check_teacher_classes(teacher, 'tea', classes, (2, 1, 8, 8))
    assert teacher.training  # its mode is restored
    task.check_teacher_classes(teacher, 'tea', classes[:3], (2, 1, 8, 8))


def test_segmentation_checks_no_teacher_before_training():
    messages = []
    runner = SimpleNamespace(
        logger=SimpleNamespace(info=messages.append), val_loop=None)
    SegmentationTask().check_teachers(
        runner,
        None,
        num_images=4,
        min_confidence_ratio=1.5,
        max_val_images=10,
        min_top1_ratio=2.0,
        seed=0)
    assert 'skipped for SegmentationTask' in messages[0]


def test_classification_warns_about_a_teacher_near_chance_on_real_data():
    """The real-data part of the classifier's teacher check: labelled
    validation images the teacher gets right as often as chance."""
    from mmrazor_dfad.structures import classification_data_sample_type
    sample_type = classification_data_sample_type()
    samples = [sample_type().set_gt_label(label) for label in (1, 2, 3, 4)]
    batch = dict(inputs=torch.zeros(4, 1, 4, 4), data_samples=samples)
    algorithm = SimpleNamespace(
        generator=nn.Identity(),  # no latent_dim: no generated check
        teachers={'tea': Constant(10, winner=0, pixels=False)},
        data_preprocessor=lambda data, training: data)
    runner = SimpleNamespace(
        logger=logging.getLogger('task-test'),
        val_loop=SimpleNamespace(dataloader=[batch]))
    with pytest.warns(UserWarning, match="Teacher 'tea' scores 0.00 top-1"):
        ClassificationTask().check_teachers(
            runner,
            algorithm,
            num_images=4,
            min_confidence_ratio=1.5,
            max_val_images=10,
            min_top1_ratio=2.0,
            seed=0)


def test_segmentation_grid_shows_each_image_then_teacher_then_student():
    palette = (default_palette(4) * 255).round().int().tolist()
    algorithm = SimpleNamespace(
        student=Constant(4, winner=2).train(),
        teachers={'tea': Constant(4, winner=1)})
    images = torch.randn(2, 1, 6, 6)
    grid = SegmentationTask().visualize_generated(
        algorithm, images, nrow=2, palette=palette)
    # One row: 2 images x 3 tiles of 6 px, 2 px padding.
    assert grid.shape == (3, 6 + 4, 6 * 8 + 2)
    assert algorithm.student.training  # restored after the predictions

    def tile(index):
        return grid[:, 2:8, 2 + 8 * index:8 + 8 * index]

    picture = tile(0)
    assert picture.min() == 0 and picture.max() == 1
    for index, winner in ((1, 1), (2, 2), (4, 1), (5, 2)):
        colour = torch.tensor(palette[winner], dtype=torch.float32) / 255
        assert torch.equal(tile(index),
                           colour.view(3, 1, 1).expand(3, 6, 6)), index


def test_the_task_names_the_library_a_student_is_exported_for():
    cls = ClassificationTask()
    assert cls.export_library(
        dict(type='ImageClassifier', _scope_='mmcls'),
        'mmrazor_dfad') == 'mmcls'
    assert cls.export_library(
        dict(type='mmpretrain.ImageClassifier'), 'mmrazor_dfad') == \
        'mmpretrain'
    # MMRazor's KD configs name no task; their students may be MMSeg's.
    assert cls.export_library(dict(type='EncoderDecoder'), 'mmseg') == 'mmseg'
    # Unscoped: the classification library that has the type.
    assert cls.export_library(dict(type='ImageClassifier'),
                              'mmrazor_dfad') == 'mmcls'
    with pytest.raises(ValueError, match='Cannot tell which library'):
        cls.export_library(dict(type='NoSuchNet'), 'mmrazor_dfad')
    assert SegmentationTask().export_library(
        dict(type='mmcls.ImageClassifier'), 'mmcls') == 'mmseg'


def test_export_builds_the_configs_task_in_the_configs_scope():
    from mmrazor_dfad.apis.export import student_library
    cfg = Config(
        dict(
            default_scope='mmrazor_dfad',
            model=dict(
                type='DataFreeDistillation',
                task=dict(type='SegmentationTask'))))
    # Another scope in effect (MMCls's registry has no SegmentationTask).
    DefaultScope.get_instance('test-tasks-mmcls', scope_name='mmcls')
    assert student_library(cfg, dict(type='EncoderDecoder')) == 'mmseg'
    cfg.model.pop('task')
    assert student_library(cfg, dict(type='mmcls.ImageClassifier')) == 'mmcls'


def test_build_task_and_task_of_default_to_classification():
    assert type(build_task()) is ClassificationTask
    assert type(build_task(dict(type='SegmentationTask'))) is SegmentationTask
    task = SegmentationTask()
    assert build_task(task) is task
    assert type(task_of(nn.Linear(1, 1))) is ClassificationTask
    assert task_of(SimpleNamespace(task=task)) is task
