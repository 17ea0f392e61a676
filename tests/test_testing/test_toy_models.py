# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The toy models and configs of ``mmrazor_dfad.testing`` that other tests
build on."""
import pytest
import torch

from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import ToyClassifier, ToyHead, logits_distiller


def test_toy_classifier_outputs_and_layout():
    model = MODELS.build(
        dict(type='ToyClassifier', in_channels=1, width=6, num_classes=5))
    assert isinstance(model, ToyClassifier)
    assert isinstance(model.head, ToyHead)
    assert (model.head.fc.in_features, model.head.fc.out_features) == (6, 5)
    images = torch.randn(4, 1, 7, 9)
    logits = model(images, mode='tensor')
    assert logits.shape == (4, 5)
    assert torch.equal(model(images, mode='predict'), logits.argmax(dim=1))
    with pytest.raises(ValueError, match='unsupported mode'):
        model(images, mode='loss')


def test_logits_distiller_builds_an_l1_between_head_fc_outputs():
    student, teacher = ToyClassifier(), ToyClassifier()
    distiller = MODELS.build(logits_distiller('tea', -2.0))
    distiller.prepare_from_student(student)
    distiller.prepare_from_teacher(torch.nn.ModuleDict(dict(tea=teacher)))
    images = torch.randn(3, 3, 8, 8)
    with distiller.student_recorders:
        student_logits = student(images)
    with distiller.teacher_recorders:
        teacher_logits = teacher(images)
    losses = distiller.compute_distill_losses()
    torch.testing.assert_close(
        losses['loss_l1'],
        -2.0 * torch.nn.functional.l1_loss(student_logits, teacher_logits))


def test_the_toy_classifier_is_registered_on_request(monkeypatch):
    from mmrazor_dfad.testing import register_toy_models

    # As before tests/conftest.py registered it (importing registers
    # nothing: tests/test_testing/test_import_side_effects.py).
    monkeypatch.delitem(MODELS.module_dict, 'ToyClassifier')
    with pytest.raises(KeyError, match='ToyClassifier'):
        MODELS.build(dict(type='ToyClassifier'))
    register_toy_models()
    register_toy_models()  # again: no error
    assert isinstance(MODELS.build(dict(type='ToyClassifier')), ToyClassifier)
