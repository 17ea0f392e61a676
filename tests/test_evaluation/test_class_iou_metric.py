# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""ClassIoUMetric: mmseg's IoUMetric with each class's IoU and the mean over
named class subsets in its results."""
import math
import os.path as osp

import pytest
import torch

import mmrazor_dfad  # noqa: F401  (mmcv-lite: mmseg imports)
from mmrazor_dfad.evaluation import ClassIoUMetric
from mmrazor_dfad.evaluation.metrics.class_iou_metric import metric_key

CLASSES = ('sky', 'ground', 'T-shirt/top', 'Bag')


def sample(prediction, label):
    return dict(
        pred_sem_seg=dict(data=torch.tensor([prediction])),
        gt_sem_seg=dict(data=torch.tensor([label])))


def evaluate(metric, pairs):
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, [sample(p, l) for p, l in pairs])
    return metric.evaluate(len(pairs))


def test_per_class_and_subset_ious():
    # sky: 2/2; ground: 1 of union 2; T-shirt: 1 of union 2; Bag: 0 of 1.
    label = [[0, 0, 1, 1], [2, 2, 3, 3]]
    prediction = [[0, 0, 1, 2], [2, 1, 1, 3]]
    metrics = evaluate(
        ClassIoUMetric(class_subsets=dict(things=['T-shirt/top', 'Bag'])),
        [(prediction, label)])
    inter = [2, 1, 1, 1]
    union = [2, 4, 3, 2]
    iou = [100 * i / u for i, u in zip(inter, union)]
    assert metrics['IoU_sky'] == pytest.approx(iou[0], abs=0.01)
    assert metrics['IoU_ground'] == pytest.approx(iou[1], abs=0.01)
    assert metrics['IoU_T_shirt_top'] == pytest.approx(iou[2], abs=0.01)
    assert metrics['IoU_Bag'] == pytest.approx(iou[3], abs=0.01)
    assert metrics['mIoU_things'] == pytest.approx(
        (iou[2] + iou[3]) / 2, abs=0.01)
    # mmseg's own keys are kept.
    assert metrics['mIoU'] == pytest.approx(sum(iou) / 4, abs=0.01)
    assert 'aAcc' in metrics


def test_a_class_in_neither_map_is_nan_and_left_out_of_its_subset():
    label = [[0, 0], [2, 2]]
    metrics = evaluate(
        ClassIoUMetric(class_subsets=dict(things=['T-shirt/top', 'Bag'])),
        [(label, label)])
    assert math.isnan(metrics['IoU_Bag'])
    assert metrics['mIoU_things'] == 100.0


def test_stuff_only_predictions_score_zero_on_things():
    label = [[0, 1], [2, 3]]
    prediction = [[0, 1], [1, 1]]
    metrics = evaluate(
        ClassIoUMetric(class_subsets=dict(things=['T-shirt/top', 'Bag'])),
        [(prediction, label)])
    assert metrics['mIoU_things'] == 0.0
    assert metrics['mIoU'] > 0


def test_an_unknown_subset_class_is_named_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"names \['Shoe'\].*'sky'"):
        evaluate(
            ClassIoUMetric(class_subsets=dict(things=['Shoe'])),
            [([[0]], [[0]])])


def test_metric_keys_have_no_separators():
    assert metric_key('T-shirt/top') == 'T_shirt_top'
    assert metric_key('Ankle boot') == 'Ankle_boot'


def test_the_scene_configs_report_things_and_classes():
    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(
        osp.join(root, 'configs', '_base_', 'datasets', 'fashion_scenes.py'))
    assert cfg.val_evaluator.type == 'ClassIoUMetric'
    classes = list(cfg.scenes_metainfo['classes'])
    merged = [
        name for members in cfg.scenes_class_merges.values()
        for name in members
    ]
    # Every garment is a thing, merged or not; the stuff classes are not.
    things = set(cfg.val_evaluator.class_subsets['things'])
    assert things == (set(classes[2:]) - set(merged)) | set(
        cfg.scenes_class_merges)
    assert set(merged) <= set(classes[2:])
