# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Teacher-student metrics, the generated bank and label-free early stopping
(docs/label_free_evaluation.md); the no-data config through the tools:
tests/test_tools/test_label_free_path.py."""
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import MessageHub, MMLogger

from mmrazor_dfad.datasets import GeneratedBankDataset
from mmrazor_dfad.engine import LabelFreeEarlyStoppingHook
from mmrazor_dfad.evaluation import (TeacherStudentMetric,
                                     class_histogram_entropy,
                                     teacher_student_statistics)
from mmrazor_dfad.registry import MODELS


def one_hot_logits(classes, num_classes=4, scale=5.0):
    return torch.nn.functional.one_hot(torch.tensor(classes),
                                       num_classes).float() * scale


def test_perfect_agreement_is_100_and_no_discrepancy():
    logits = one_hot_logits([0, 1, 2, 3])
    stats = teacher_student_statistics(logits, logits.clone())
    assert stats['agreement'] == 100.0
    assert stats['balanced_agreement'] == 100.0
    assert stats['l1'] == 0.0
    assert stats['kl'] == pytest.approx(0.0, abs=1e-12)
    # Four images, four classes, one each: a uniform histogram.
    assert stats['teacher_class_entropy'] == pytest.approx(1.0)
    assert 'teacher_top1' not in stats


def test_disagreement_on_a_known_fraction():
    teacher = one_hot_logits([0, 0, 0, 1])
    student = one_hot_logits([0, 0, 2, 2])
    stats = teacher_student_statistics(
        student, teacher, gt_labels=torch.tensor([0, 0, 0, 3]))
    assert stats['agreement'] == 50.0
    # Class 0: 2 of 3 agree, class 1: 0 of 1.
    assert stats['balanced_agreement'] == pytest.approx(100.0 / 3)
    # Two images differ by 5 in two of four logits: 20 / 16.
    assert stats['l1'] == pytest.approx(20.0 / 16)
    assert stats['teacher_top1'] == 75.0
    probs = torch.tensor([3 / 4, 1 / 4])
    expected = float(-(probs * probs.log()).sum() / math.log(4))
    assert stats['teacher_class_entropy'] == pytest.approx(expected)
    assert stats['student_class_entropy'] == pytest.approx(
        1.0 / 2)  # two classes of four, equally often: log 2 / log 4


def test_class_entropy_is_zero_for_one_class():
    assert class_histogram_entropy(torch.tensor([3, 3, 3]), 10) == 0.0


def test_confident_agreement_counts_confident_teacher_images_only():
    teacher = torch.tensor([[10.0, 0.0], [0.1, 0.0]])  # confident, unsure
    student = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    stats = teacher_student_statistics(student, teacher)
    assert stats['agreement'] == 50.0
    assert stats['confident_agreement'] == 100.0


def test_metric_reads_data_samples_and_prefixes_keys():
    from mmcls.structures import ClsDataSample
    samples = []
    for teacher_class, student_class in [(0, 0), (1, 1), (1, 0), (2, 2)]:
        sample = ClsDataSample().set_gt_label(teacher_class)
        sample.set_field(one_hot_logits(student_class), 'student_logits')
        sample.set_field(one_hot_logits(teacher_class), 'teacher_logits')
        samples.append(sample)
    evaluator = Evaluator(TeacherStudentMetric(prefix='label_free'))
    evaluator.process(samples)
    metrics = evaluator.evaluate(4)
    assert metrics['label_free/agreement'] == 75.0
    assert metrics['label_free/teacher_top1'] == 100.0


def test_bank_is_fixed_and_does_not_depend_on_the_batch_split(
        toy_algorithm_cfg):
    model = MODELS.build(toy_algorithm_cfg).eval()
    bank = GeneratedBankDataset(num_images=6, seed=3)
    items = [bank[i] for i in range(6)]

    def batch(part):
        return {key: [item[key] for item in part] for key in part[0]}

    whole = model.val_step(batch(items))
    split = model.val_step(batch(items[:2])) + model.val_step(batch(items[2:]))
    again = model.val_step(batch(items))
    for a, b, c in zip(whole, split, again):
        assert torch.allclose(a.student_logits, b.student_logits, atol=1e-6)
        assert torch.equal(a.teacher_logits, c.teacher_logits)
    other_seed = model.val_step(
        batch([GeneratedBankDataset(6, seed=4)[i] for i in range(6)]))
    assert not torch.allclose(whole[0].teacher_logits,
                              other_seed[0].teacher_logits)
    # The bank does not draw from the generator's own (training) stream.
    state = model.generator.get_extra_state()
    model.val_step(batch(items))
    assert torch.equal(state, model.generator.get_extra_state())


def fake_runner(iteration):
    return SimpleNamespace(
        iter=iteration,
        max_iters=100,
        train_loop=SimpleNamespace(stop_training=False),
        logger=MMLogger.get_instance(f'label_free_{iteration}'),
        message_hub=MessageHub.get_instance(f'label_free_hub_{iteration}'))


def test_early_stopping_triggers_on_a_flat_score(caplog):
    hook = LabelFreeEarlyStoppingHook(
        monitor='label_free/agreement', rule='greater', patience=3)
    stopped_at = None
    for iteration in range(100, 1000, 100):
        runner = fake_runner(iteration)
        hook.after_val_epoch(runner, {'label_free/agreement': 80.0})
        if runner.train_loop.stop_training:
            stopped_at = iteration
            break
    # Best at the first validation, then 3 without improvement.
    assert stopped_at == 400
    assert hook.best_iter == 100
