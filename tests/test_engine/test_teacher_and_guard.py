# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Teachers that are damaged or untrained, and runs that diverge."""
import logging
import math

import pytest
import torch

from mmrazor_dfad.engine.hooks import TeacherCheckHook
from mmrazor_dfad.engine.hooks.teacher_check_hook import \
    generated_prediction_stats
from mmrazor_dfad.engine.optimizers.divergence_guard import (
    DivergenceGuard, TrainingDivergedError)
from mmrazor_dfad.testing import build, build_optim, data_free_batch, snapshot


class Evil:

    def __reduce__(self):
        return (print, ('this must never run', ))


def damage(path, kind):
    good = path.read_bytes()
    if kind == 'empty':
        path.write_bytes(b'')
    elif kind == 'truncated':
        path.write_bytes(good[:len(good) // 2])
    elif kind == 'html':
        path.write_text('<!DOCTYPE html><html><body>404 Not Found</body>'
                        '</html>')
    elif kind == 'text':
        path.write_text('just some notes, not weights')
    elif kind == 'foreign pickle':
        torch.save({'state_dict': Evil()}, path)


@pytest.mark.parametrize(
    'kind, problem',
    [('empty', r'the file is empty \(0 bytes\)'),
     ('truncated', 'the file is truncated or damaged'),
     ('html', 'it is an HTML/XML page, not a checkpoint'),
     ('text', 'it is not a PyTorch checkpoint'),
     ('foreign pickle', 'is not a checkpoint this package can read')])
def test_damaged_teacher_files_name_key_file_and_fix(kind, problem,
                                                     toy_algorithm_cfg,
                                                     toy_teacher_ckpt,
                                                     tmp_path):
    from pathlib import Path
    damage(Path(toy_teacher_ckpt), kind)
    with pytest.raises(ValueError) as error:
        build(toy_algorithm_cfg)
    message = str(error.value)
    assert "Teacher 'tea'" in message
    assert toy_teacher_ckpt in message
    assert __import__('re').search(problem, message), message
    assert "model.teachers['tea'].ckpt_path" in message
    assert 'weights_only' not in message


def test_teacher_weights_come_from_their_file_only(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    state = algorithm.state_dict()
    assert not [key for key in state if key.startswith('teachers.')]
    teacher_before = snapshot(algorithm.teachers)
    stale = dict(state)
    for key, value in algorithm.teachers.state_dict().items():
        stale[f'teachers.{key}'] = torch.zeros_like(value)
    result = algorithm.load_state_dict(stale, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for key, value in snapshot(algorithm.teachers).items():
        assert torch.equal(value, teacher_before[key]), key
    # And an algorithm checkpoint without teachers loads strictly.
    algorithm.load_state_dict(state, strict=True)


def test_prediction_stats_on_hand_made_logits():
    confident = torch.eye(4).repeat(2, 1) * 100  # 8 images, 4 classes, even
    stats = generated_prediction_stats(confident)
    assert stats['confidence'] == pytest.approx(1.0)
    assert stats['classes_predicted'] == 4
    assert stats['class_entropy'] == pytest.approx(1.0)
    one_class = torch.zeros(8, 4)
    one_class[:, 2] = 0.01
    stats = generated_prediction_stats(one_class)
    assert stats['classes_predicted'] == 1
    assert stats['class_entropy'] == pytest.approx(0.0)
    assert stats['confidence'] == pytest.approx(0.2525, abs=1e-3)


class FakeRunner:

    def __init__(self, model):
        self.model = model
        self.val_loop = None
        self.logger = logging.getLogger('teacher-check-test')


def test_teacher_check_warns_about_an_untrained_teacher(
        toy_algorithm_cfg, caplog):
    algorithm = build(toy_algorithm_cfg)
    # Untrained as MMCls initialises classifier heads (normal, std 0.01).
    with torch.no_grad():
        algorithm.teachers['tea'].head.fc.weight.normal_(0, 0.01)
    generator_before = snapshot(algorithm.generator)
    with pytest.warns(UserWarning, match="Teacher 'tea' looks untrained"):
        TeacherCheckHook(num_images=32).before_train(FakeRunner(algorithm))
    # The check leaves the generator (weights and BN statistics) alone.
    for key, value in snapshot(algorithm.generator).items():
        assert torch.equal(value, generator_before[key]), key


def test_teacher_check_is_quiet_about_a_confident_teacher(
        toy_algorithm_cfg, recwarn):
    algorithm = build(toy_algorithm_cfg)
    with torch.no_grad():
        algorithm.teachers['tea'].head.fc.weight.mul_(1000)
    TeacherCheckHook(num_images=32).before_train(FakeRunner(algorithm))
    assert not [w for w in recwarn if 'untrained' in str(w.message)]


def runner_with_classes(algorithm, classes):
    """A FakeRunner whose validation dataset names ``classes`` (and holds
    no image: the real-data check finds none)."""
    from types import SimpleNamespace
    runner = FakeRunner(algorithm)
    runner.val_loop = SimpleNamespace(
        dataloader=SimpleNamespace(
            dataset=SimpleNamespace(metainfo=dict(classes=classes)),
            __iter__=None))
    return runner


def test_a_teacher_of_other_classes_is_refused_before_training(
        toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    with torch.no_grad():
        algorithm.teachers['tea'].head.fc.weight.mul_(1000)
    predicted = algorithm.teachers['tea'].head.fc.out_features
    classes = tuple(f'c{i}' for i in range(predicted + 2))
    with pytest.raises(
            ValueError,
            match=rf"Teacher 'tea' predicts {predicted} classes but the "
            rf'validation dataset has {predicted + 2} \(c0, c1, c2, c3, '
            r"\.\.\.\).*model.teachers\['tea'\]"):
        TeacherCheckHook(
            num_images=32, max_val_images=0).before_train(
                runner_with_classes(algorithm, classes))
    # As many classes: no complaint.
    TeacherCheckHook(
        num_images=32, max_val_images=0).before_train(
            runner_with_classes(algorithm, classes[:predicted]))


# Divergence guard


def test_guard_stops_on_nan_and_on_an_explosion_after_warmup():
    guard = DivergenceGuard(warmup=3, window=5, loss_factor=100)
    with pytest.raises(FloatingPointError, match='student loss is nan'):
        guard.check_loss(torch.tensor(float('nan')), 'student')
    for value in (1.0, 2.0, 1.5):
        assert guard.check_loss(torch.tensor(value), 'student')
    # 100x the median (1.5) is allowed, more is an explosion.
    assert guard.check_loss(torch.tensor(-150.0), 'student')
    with pytest.raises(
            TrainingDivergedError,
            match=r'student loss 1\.5e\+04 .* is 8571x the '
            r'median of its last 4 values \(1\.75\): training '
            'diverged.*optim_wrapper.architecture'):
        guard.check_loss(torch.tensor(15000.0), 'student')


def test_guard_skip_mode_skips_and_keeps_its_history():
    guard = DivergenceGuard(warmup=2, window=5, action='skip')
    for value in (1.0, 1.0):
        assert guard.check_loss(torch.tensor(value), 'generator')
    assert not guard.check_loss(torch.tensor(1e6), 'generator')
    assert guard.check_loss(torch.tensor(1.0), 'generator')


def test_guard_floors_tiny_losses():
    guard = DivergenceGuard(warmup=2, window=5, min_loss_scale=0.01)
    for value in (1e-6, 1e-6):
        guard.check_loss(torch.tensor(value), 'student')
    assert guard.check_loss(torch.tensor(0.5), 'student')  # < 100 x 0.01


def test_guard_stops_on_a_weight_explosion():
    guard = DivergenceGuard(warmup=2, window=5, weight_factor=10)
    weights = [torch.nn.Parameter(torch.ones(4))]
    guard.check_weights(weights, 'student')
    guard.check_weights(weights, 'student')
    with torch.no_grad():
        weights[0].mul_(11)
    with pytest.raises(
            TrainingDivergedError, match='student weight norm is 22 '):
        guard.check_weights(weights, 'student')
    with pytest.raises(TrainingDivergedError, match='Lower the student'):
        guard.check_weights(weights, 'student')
    # Weights gone NaN after finite losses: a gradient was not finite,
    # which no clip_grad bounds; the message says so.
    with pytest.raises(
            TrainingDivergedError, match='clip_grad cannot bound it') as error:
        DivergenceGuard().check_weights(
            [torch.nn.Parameter(torch.tensor([math.nan]))], 'generator')
    assert 'LogSpaceKLDivergence' in str(error.value)


def test_guard_rejects_bad_settings():
    with pytest.raises(ValueError, match="action must be one of"):
        DivergenceGuard(action='ignore')
    with pytest.raises(ValueError, match='warmup <= window'):
        DivergenceGuard(warmup=10, window=5)


def test_exploding_student_update_is_skipped_in_skip_mode(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg).train()
    optim = build_optim(algorithm)
    for side in (optim.student, optim.generator):
        side.divergence_guard = DivergenceGuard(
            warmup=2, window=10, action='skip', weight_factor=math.inf)
    for _ in range(2):
        algorithm.train_step(data_free_batch(4), optim)
    with torch.no_grad():
        algorithm.teachers['tea'].head.fc.weight.mul_(1e7)
    before = snapshot(algorithm.student)
    algorithm.train_step(data_free_batch(4), optim)
    for key, value in snapshot(algorithm.student).items():
        if 'running' not in key and 'num_batches' not in key:
            assert torch.equal(value, before[key]), key
