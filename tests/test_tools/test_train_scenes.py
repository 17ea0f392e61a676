# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The scene benchmark's configs through the tools: plain DFAD, RANDOM (a
generator that never learns), KD-ORI, KD-UNR and the student with labels
each train two iterations on a tiny scene set; the bounds are
compute-matched to DFAD."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmrazor_dfad.apis.train import main as train_main
from mmrazor_dfad.datasets.preparation import fashion_scenes
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import write_fake_mnist
from mmrazor_dfad.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DFAD_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation',
    'dfad_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py')
KD_CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'kd', 'kd-*fashion-scenes.py')))
UNRELATED_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'kd', 'kd-kl-unrelated_deeplabv3plus-r18q_'
    'deeplabv3plus-mbv2q_1xb32-3k_fashion-scenes.py')
RANDOM_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation', 'random-generator_deeplabv3plus-'
    'r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py')
LABELS_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation', 'students',
    'deeplabv3plus_mobilenetv2-quarter-d8_1xb32-3k_fashion-scenes.py')


def random_teacher(build_cfg, path):
    register_all_modules()
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(build_cfg).state_dict()), path)
    return str(path)


@pytest.fixture(scope='module')
def scene_set(tmp_path_factory):
    """A tiny scene set (random digits as garments), a random teacher
    checkpoint and the options that point every config at them."""
    root = tmp_path_factory.mktemp('scenes')
    source = write_fake_mnist(str(root / 'fashion_mnist'), 24, 8, num_val=8)
    data_root = str(root / 'fashion_scenes')
    fashion_scenes.prepare(
        source, data_root, num_train=4, num_val=2, num_test=2)
    teacher = Config.fromfile(DFAD_CONFIG).model.teachers.deeplabv3plus
    ckpt = random_teacher(teacher.build_cfg, root / 'teacher.pth')
    data = [
        f'{loader}.dataset.data_root={data_root}'
        for loader in ('val_dataloader', 'test_dataloader')
    ]
    return data_root, ckpt, data


def test_the_bounds_are_compute_matched_to_dfad():
    dfad = Config.fromfile(DFAD_CONFIG)
    dfad_images = (
        dfad.model.student_iter * dfad.train_cfg.max_iters *
        dfad.train_dataloader.batch_size)
    for path in KD_CONFIGS + [LABELS_CONFIG, RANDOM_CONFIG]:
        if path == RANDOM_CONFIG:
            cfg = Config.fromfile(path)
            assert cfg.train_cfg == dfad.train_cfg
            assert cfg.model.student_iter == dfad.model.student_iter
            continue
        cfg = Config.fromfile(path)
        images = cfg.train_cfg.max_iters * cfg.train_dataloader.batch_size
        assert images == dfad_images, (path, images, dfad_images)
        assert cfg.train_dataloader.batch_size == \
            dfad.train_dataloader.batch_size
        assert cfg.optim_wrapper.optimizer == \
            dfad.optim_wrapper.architecture.optimizer, path
    # KD-ORI: pixel KL and CWD, each with and without the label CE; KD-UNR.
    assert len(KD_CONFIGS) == 5 and UNRELATED_CONFIG in KD_CONFIGS


@pytest.mark.integration
def test_plain_dfad_on_scenes_trains_and_validates(scene_set, tmp_path):
    _, ckpt, data = scene_set
    runner = train_main([
        DFAD_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
        'model.student_iter=1',
        f'model.teachers.deeplabv3plus.ckpt_path={ckpt}',
        'val_cfg.label_free.dataloader.dataset.num_images=2',
        'custom_hooks=[]', *data
    ])
    scalars = runner.message_hub.log_scalars
    for key in ('val/mIoU', 'val/mIoU_things', 'val/IoU_Ankle_boot',
                'val/teacher_student/teacher_mIoU',
                'val/teacher_student/mIoU_vs_teacher',
                'val/label_free/mIoU_vs_teacher'):
        assert key in scalars, key


@pytest.mark.integration
@pytest.mark.parametrize(
    'config',
    [c
     for c in KD_CONFIGS if 'cwd-ce' in c] + [UNRELATED_CONFIG, LABELS_CONFIG],
    ids=osp.basename)
def test_bounds_train_on_the_real_canvases(config, scene_set, tmp_path):
    data_root, ckpt, data = scene_set
    options = [
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'train_dataloader.batch_size=2',
        f'train_dataloader.dataset.data_root={data_root}', *data
    ]
    if 'kd-' in osp.basename(config):
        options.append(f'model.teacher_ckpt={ckpt}')
    runner = train_main(
        [config, '--work-dir',
         str(tmp_path), '--cfg-options', *options])
    assert runner.iter == 2
    scalars = runner.message_hub.log_scalars
    assert 'val/mIoU' in scalars and 'val/mIoU_things' in scalars
    if 'kd-' in osp.basename(config):
        # Fidelity to the teacher, in the same pass (predict_teacher).
        assert 'val/teacher_student/mIoU_vs_teacher' in scalars


@pytest.mark.integration
def test_the_random_generator_never_learns(scene_set, tmp_path, monkeypatch):
    from mmengine.hooks import Hook

    from mmrazor_dfad.apis import train as train_api

    class Snapshot(Hook):
        """The parameters of generator and student as training starts."""

        def before_train(self, runner):
            model = runner.model
            self.start = {
                side: {
                    name: value.detach().clone()
                    for name, value in getattr(model, side).named_parameters()
                }
                for side in ('generator', 'student')
            }

    snapshot = Snapshot()
    build = train_api._build_runner

    def build_with_snapshot(cfg):
        runner = build(cfg)
        runner.register_hook(snapshot)
        return runner

    monkeypatch.setattr(train_api, '_build_runner', build_with_snapshot)
    _, ckpt, data = scene_set
    runner = train_main([
        RANDOM_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
        'model.student_iter=1',
        f'model.teachers.deeplabv3plus.ckpt_path={ckpt}',
        'val_cfg.label_free.dataloader.dataset.num_images=2',
        'custom_hooks=[]', *data
    ])
    assert runner.iter == 2
    # Parameters only: the generator's BatchNorm statistics follow its
    # batches, as an untrained network's do.
    for name, value in runner.model.generator.named_parameters():
        assert torch.equal(value, snapshot.start['generator'][name]), name
    assert any(not torch.equal(value, snapshot.start['student'][name])
               for name, value in runner.model.student.named_parameters())


@pytest.mark.integration
def test_a_recorded_scene_run_carries_things_fidelity_and_classes(
        scene_set, tmp_path, monkeypatch):
    import importlib.util
    from types import SimpleNamespace

    from run_records import load_results
    spec = importlib.util.spec_from_file_location(
        'dev_script_benchmark_recipe',
        osp.join(REPO_ROOT, '.dev_scripts', 'benchmark_recipe.py'))
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    # Not the repository's tables.
    monkeypatch.setattr(benchmark, 'subprocess',
                        SimpleNamespace(run=lambda *a, **k: None))
    _, ckpt, data = scene_set
    out = tmp_path / 'scenes.json'
    benchmark.main([
        str(out), 'tiny', DFAD_CONFIG, '--teacher-miou', '60.0', '--seeds',
        '0', '--work-dir',
        str(tmp_path / 'work'), '--dataset', 'scenes', '--cfg-options',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'train_dataloader.batch_size=2', 'model.student_iter=1',
        f'model.teachers.deeplabv3plus.ckpt_path={ckpt}',
        'val_cfg.label_free=None', 'test_cfg.label_free=None',
        'custom_hooks=[]', *data
    ])
    run, = load_results(str(out)).runs
    assert run.split == 'test'
    for key in ('student_mIoU', 'student_mIoU_things', 'student_mIoU_unmerged',
                'fidelity_mIoU'):
        assert key in run.metrics, key
    assert 'T_shirt_top_Shirt' in run.extra['per_class_iou']
    assert len(run.extra['per_class_iou']) == 10  # after the merges
