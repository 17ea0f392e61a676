# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import os.path as osp

import pytest
import torch
from mmengine.config import Config, ConfigDict

from mmrazor_dfad.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SEGMENTOR = osp.join(REPO, 'configs', '_base_', 'models',
                     'fcn_mobilenetv2-quarter-d8_mosaic.py')


def kd_config(type_name: str, **kwargs) -> dict:
    """A KD algorithm whose teacher and student are the mosaic student
    (dropout 0.1 in its head), distilling the head's logits."""
    segmentor = Config.fromfile(SEGMENTOR).fcn_mobilenetv2_quarter.to_dict()
    logits = dict(type='ModuleOutputs', source='decode_head.conv_seg')
    return dict(
        type=type_name,
        data_preprocessor=dict(type='mmseg.SegDataPreProcessor'),
        architecture=segmentor,
        teacher=segmentor,
        calculate_student_loss=False,
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(logits=logits),
            teacher_recorders=dict(logits=logits),
            distill_losses=dict(loss_l1=dict(type='mmrazor_dfad.PixelL1Loss')),
            loss_forward_mappings=dict(
                loss_l1=dict(
                    student_logits=dict(from_student=True, recorder='logits'),
                    teacher_logits=dict(from_student=False,
                                        recorder='logits')))),
        **kwargs)


def teacher_outputs_twice(algorithm) -> tuple:
    """The teacher's logits for one input, twice, with the algorithm in
    train mode (as in a KD iteration)."""
    algorithm.train()
    images = torch.randn(
        2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return (algorithm.teacher(images), algorithm.teacher(images))


def test_the_teacher_stays_in_eval_mode_while_the_student_trains():
    torch.manual_seed(0)
    algorithm = MODELS.build(kd_config('EvalTeacherDistill'))
    algorithm.train()
    assert not any(module.training for module in algorithm.teacher.modules())
    assert all(module.training for module in algorithm.student.modules())
    first, second = teacher_outputs_twice(algorithm)
    torch.testing.assert_close(first, second, rtol=0, atol=0)


def test_mmrazor_single_teacher_distill_leaves_teacher_dropout_active():
    # Why the class exists: the same check on MMRazor's algorithm differs.
    torch.manual_seed(0)
    algorithm = MODELS.build(kd_config('mmrazor.SingleTeacherDistill'))
    first, second = teacher_outputs_twice(algorithm)
    assert not torch.equal(first, second)


def test_a_trainable_teacher_is_refused():
    with pytest.raises(ValueError, match='teacher_trainable=True'):
        MODELS.build(kd_config('EvalTeacherDistill', teacher_trainable=True))


def seg_samples(count=2):
    from mmseg.structures import SegDataSample
    samples = []
    for _ in range(count):
        sample = SegDataSample()
        sample.set_metainfo(
            dict(img_shape=(32, 32), ori_shape=(32, 32), pad_shape=(32, 32)))
        samples.append(sample)
    return samples


def build(**kwargs):
    # As a config builds it: the segmentors read their test_cfg as ConfigDict.
    return MODELS.build(ConfigDict(kd_config('EvalTeacherDistill', **kwargs)))


def predict(algorithm):
    images = torch.randn(
        2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    algorithm.eval()
    with torch.no_grad():
        return algorithm(images, seg_samples(), mode='predict'), images


def test_predict_teacher_adds_the_teachers_masks():
    torch.manual_seed(0)
    algorithm = build(predict_teacher=True)
    predictions, images = predict(algorithm)
    with torch.no_grad():
        teacher = algorithm.teacher(images, seg_samples(), mode='predict')
        student = algorithm.student(images, seg_samples(), mode='predict')
    for ours, of_teacher, of_student in zip(predictions, teacher, student):
        assert torch.equal(ours.teacher_pred_sem_seg.data,
                           of_teacher.pred_sem_seg.data)
        assert torch.equal(ours.pred_sem_seg.data,
                           of_student.pred_sem_seg.data)
    # Independent weights: the masks differ somewhere.
    assert any(
        not torch.equal(s.teacher_pred_sem_seg.data, s.pred_sem_seg.data)
        for s in predictions)


def test_predict_teacher_is_off_by_default():
    torch.manual_seed(0)
    predictions, _ = predict(build())
    assert all('teacher_pred_sem_seg' not in s for s in predictions)
