# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The segmentation configs through the tools: the mosaic benchmark trains,
validates (mIoU, teacher, label-free), resumes, tests and exports
in-process, trains under gloo DDP and through ``mim train``; the paper's
CamVid setting trains a few iterations on a fake CamVid."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

from mmrazor_dfad.apis.train import main as train_main
from mmrazor_dfad.datasets.preparation import mosaic
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import write_fake_camvid, write_fake_mnist
from mmrazor_dfad.testing._internal.fresh_process import (
    run_distributed, train_in_fresh_process)
from mmrazor_dfad.testing._internal.tool_runs import run_test
from mmrazor_dfad.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MOSAIC_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation',
    'dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py')
NODATA_CONFIG = MOSAIC_CONFIG.replace('mosaic.py', 'mosaic-nodata.py')
CAMVID_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation',
    'dfad_deeplabv3-r50_deeplabv3-mbv2_1xb64-15k_camvid-128px.py')


def random_teacher(build_cfg, path):
    register_all_modules()
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(build_cfg).state_dict()), path)
    return str(path)


@pytest.fixture(scope='module')
def mosaic_set(tmp_path_factory):
    """A tiny mosaic set and a random teacher checkpoint; the options that
    point the mosaic config at them and shrink it."""
    from mmengine.config import Config
    root = tmp_path_factory.mktemp('mosaic')
    source = write_fake_mnist(str(root / 'mnist'), 12, 8)
    data_root = str(root / 'mosaic')
    mosaic.prepare(source, data_root, num_train=4, num_test=4, num_val=4)
    teacher_cfg = Config.fromfile(MOSAIC_CONFIG).model.teachers.deeplabv3
    ckpt = random_teacher(teacher_cfg.build_cfg, root / 'teacher.pth')
    options = [
        f'model.teachers.deeplabv3.ckpt_path={ckpt}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=4', 'model.student_iter=1',
        'val_cfg.label_free.dataloader.dataset.num_images=4',
        'test_cfg.label_free.dataloader.dataset.num_images=4',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1', 'custom_hooks=[]'
    ]
    return data_root, options


@pytest.mark.e2e
def test_mosaic_dfad_trains_validates_resumes_tests_and_exports(
        mosaic_set, tmp_path):
    data_root, options = mosaic_set
    work_dir = str(tmp_path / 'work')
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
    # tools/test.py on the checkpoint: real canvases and the generated bank.
    tested = run_test([
        MOSAIC_CONFIG,
        osp.join(work_dir, 'iter_3.pth'), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *options
    ])
    for key in ('mIoU', 'teacher_student/teacher_mIoU',
                'label_free/mIoU_vs_teacher'):
        assert key in tested, (key, sorted(tested))
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
def test_mosaic_dfad_killed_and_resumed_equals_an_uninterrupted_run(
        mosaic_set, tmp_path):
    """The student's decode head draws dropout from the global random
    generators, which MMEngine does not checkpoint: the checkpoint hook
    saves and restores them, so a resumed run is bit-equal to the
    uninterrupted one (a validation at iteration 2 included)."""
    from mmengine.config import Config
    student = Config.fromfile(MOSAIC_CONFIG).model.architecture
    assert student.decode_head.dropout_ratio > 0

    _, options = mosaic_set

    def args(work_dir, *extra):
        return [
            MOSAIC_CONFIG, '--work-dir',
            str(work_dir), *extra, '--cfg-options', 'train_cfg.max_iters=4',
            *options
        ]

    uninterrupted = train_main(args(tmp_path / 'uninterrupted'))
    assert uninterrupted.iter == 4
    killed = train_in_fresh_process(
        args(tmp_path / 'killed'), 'kill-after-iter', 3, cwd=str(tmp_path))
    assert killed.returncode == -9, killed.output[-3000:]
    assert osp.isfile(tmp_path / 'killed' / 'iter_3.pth')
    assert not osp.exists(tmp_path / 'killed' / 'iter_4.pth')
    resumed = train_main(args(tmp_path / 'killed', '--resume'))
    assert resumed.iter == 4

    def weights(work_dir):
        return torch.load(
            work_dir / 'iter_4.pth', weights_only=False)['state_dict']

    expected, actual = weights(tmp_path / 'uninterrupted'), weights(tmp_path /
                                                                    'killed')
    assert expected.keys() == actual.keys()
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key


@pytest.mark.integration
def test_camvid_setting_trains_three_iterations_on_a_fake_camvid(tmp_path):
    """The paper's CamVid setting, shrunk: its DCGAN generator, both
    learning rates decayed x0.1 at iteration milestones (moved to 1 and 2),
    and validation on images and labels resized together (here to a 16-px
    shorter side) and compared at that size."""
    from mmengine.config import Config
    from mmengine.model import is_model_wrapper

    from mmrazor_dfad.models import DCGANGenerator
    data_root = write_fake_camvid(str(tmp_path / 'camvid'))  # 24x32 images
    teacher_cfg = Config.fromfile(CAMVID_CONFIG).model.teachers.deeplabv3
    ckpt = random_teacher(teacher_cfg.build_cfg, tmp_path / 'teacher.pth')
    runner = train_main([
        CAMVID_CONFIG, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options',
        f'model.teachers.deeplabv3.ckpt_path={ckpt}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'val_dataloader.dataset.pipeline.2.scale=(2048,16)',
        'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
        'train_dataloader.batch_size=2', 'model.student_iter=1',
        'model.generator.img_size=32', 'model.generator.hidden_channels=16',
        'param_scheduler.architecture.0.milestones=[1,2]',
        'param_scheduler.generator.0.milestones=[1,2]',
        'train_cfg.max_iters=3', 'train_cfg.val_interval=3',
        'default_hooks.checkpoint.interval=3', 'custom_hooks=[]'
    ])
    assert runner.iter == 3
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    assert isinstance(model.generator, DCGANGenerator)
    scalars = runner.message_hub.log_scalars
    # The learning rate each iteration trained with.
    for side, start in (('architecture', 0.1), ('generator', 1e-3)):
        rates = scalars[f'train/{side}.lr'].data[0]
        np.testing.assert_allclose(rates, [start, start / 10, start / 100])
    assert 'val/mIoU' in scalars
    sample = runner.val_dataloader.dataset[0]['data_samples']
    assert sample.gt_sem_seg.shape == (16, 21)
    assert tuple(sample.ori_shape) == (16, 21)


@pytest.mark.integration
def test_mosaic_dfad_trains_under_two_process_gloo_ddp(mosaic_set, tmp_path):
    _, options = mosaic_set
    work_dir = tmp_path / 'work'
    ranks = run_distributed(
        'train', [
            MOSAIC_CONFIG, '--work-dir',
            str(work_dir), '--cfg-options', *options,
            'train_dataloader.batch_size=2', 'train_cfg.max_iters=2'
        ],
        cwd=str(tmp_path))
    output = ranks[0].output
    assert [rank.returncode for rank in ranks] == [0, 0], (
        output[-3000:] + ranks[1].output[-3000:])
    assert 'Distributed training: True' in output
    assert 'mIoU' in output
    state = torch.load(
        work_dir / 'iter_2.pth', weights_only=False)['state_dict']
    assert any(k.startswith('architecture.decode_head.') for k in state)
    assert not any('.module.' in k for k in state)


@pytest.mark.integration
def test_mim_train_finds_the_segmentation_config(mosaic_set, tmp_path):
    _, options = mosaic_set
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    work_dir = tmp_path / 'work'
    result = subprocess.run([
        mim, 'train', 'mmrazor_dfad',
        osp.basename(MOSAIC_CONFIG), '--gpus', '0', '--work-dir',
        str(work_dir), '--cfg-options', *options, 'train_cfg.max_iters=1',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        'test_cfg=None', 'test_dataloader=None', 'test_evaluator=None'
    ],
                            cwd=str(tmp_path),
                            env=dict(os.environ, OMP_NUM_THREADS='1'),
                            capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert (work_dir / 'iter_1.pth').is_file()


@pytest.mark.integration
def test_without_any_data_the_best_checkpoint_is_chosen_label_free(
        mosaic_set, tmp_path):
    _, options = mosaic_set
    teacher = next(o for o in options if o.startswith('model.teachers'))
    work_dir = tmp_path / 'work'
    runner = train_main([
        NODATA_CONFIG, '--work-dir',
        str(work_dir), '--cfg-options', teacher,
        'train_dataloader.batch_size=2', 'model.student_iter=1',
        'val_dataloader.dataset.num_images=4', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=1', 'custom_hooks=[]'
    ])
    metrics = runner.message_hub.log_scalars
    assert 'val/label_free/agreement' in metrics
    assert 'val/mIoU' not in metrics  # no real canvas was read
    (best, ) = work_dir.glob('best_label_free_agreement_iter_*.pth')
    assert best.is_file()
