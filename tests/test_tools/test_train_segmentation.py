# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The segmentation configs through tools/train.py's code, in-process: the
mosaic benchmark trains, validates (mIoU, teacher, label-free) and resumes;
the paper's CamVid setting trains a few iterations on a fake CamVid."""
import os.path as osp

import pytest
import torch

from mmrazor_dfad.apis.train import main as train_main
from mmrazor_dfad.datasets.preparation import mosaic
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import write_fake_camvid, write_fake_mnist
from mmrazor_dfad.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MOSAIC_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation',
    'dfad_deeplabv3-r18q_fcn-mbv2q_1xb64_mnist-mosaic.py')
CAMVID_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation',
    'dfad_deeplabv3-r50_deeplabv3-mbv2_1xb64-15k_camvid-128px.py')


def random_teacher(build_cfg, path):
    register_all_modules()
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(build_cfg).state_dict()), path)
    return str(path)


@pytest.mark.e2e
def test_mosaic_dfad_trains_validates_and_resumes(tmp_path):
    from mmengine.config import Config
    source = write_fake_mnist(str(tmp_path / 'mnist'), 12, 8)
    data_root = str(tmp_path / 'mosaic')
    mosaic.prepare(source, data_root, num_train=4, num_test=4)
    teacher_cfg = Config.fromfile(MOSAIC_CONFIG).model.teachers.deeplabv3
    ckpt = random_teacher(teacher_cfg.build_cfg, tmp_path / 'teacher.pth')
    work_dir = str(tmp_path / 'work')
    options = [
        f'model.teachers.deeplabv3.ckpt_path={ckpt}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=4', 'model.student_iter=1',
        'val_cfg.label_free.dataloader.dataset.num_images=4',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1', 'custom_hooks=[]'
    ]
    runner = train_main([
        MOSAIC_CONFIG, '--work-dir', work_dir, '--cfg-options',
        'train_cfg.max_iters=2', *options
    ])
    metrics = runner.message_hub.log_scalars
    for key in ('val/mIoU', 'val/aAcc', 'val/teacher_student/teacher_mIoU',
                'val/label_free/agreement', 'val/label_free/mIoU_vs_teacher'):
        assert key in metrics, key
    resumed = train_main([
        MOSAIC_CONFIG, '--work-dir', work_dir, '--resume', '--cfg-options',
        'train_cfg.max_iters=3', *options
    ])
    assert resumed.iter == 3
    # The student alone, as a plain MMSeg checkpoint its own API loads.
    from mmrazor_dfad.apis.export import export_student
    exported = export_student(MOSAIC_CONFIG, osp.join(work_dir, 'iter_3.pth'),
                              str(tmp_path / 'student.pth'))
    from mmseg.apis import inference_model, init_model
    student = init_model(exported['config'], exported['checkpoint'], 'cpu')
    canvas = osp.join(data_root, 'img_dir', 'test', '00000.png')
    result = inference_model(student, canvas)
    assert result.pred_sem_seg.data.shape == (1, 64, 64)


@pytest.mark.integration
def test_camvid_setting_trains_two_iterations_on_a_fake_camvid(tmp_path):
    from mmengine.config import Config
    data_root = write_fake_camvid(str(tmp_path / 'camvid'))
    teacher_cfg = Config.fromfile(CAMVID_CONFIG).model.teachers.deeplabv3
    ckpt = random_teacher(teacher_cfg.build_cfg, tmp_path / 'teacher.pth')
    runner = train_main([
        CAMVID_CONFIG, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options',
        f'model.teachers.deeplabv3.ckpt_path={ckpt}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
        'train_dataloader.batch_size=2', 'model.student_iter=1',
        'model.generator.img_size=32', 'model.generator.hidden_channels=16',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', 'custom_hooks=[]'
    ])
    assert runner.iter == 2
    assert 'val/mIoU' in runner.message_hub.log_scalars
