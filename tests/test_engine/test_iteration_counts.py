# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A guard on the per-iteration cost: how many forward and backward passes
and optimizer steps one iteration makes. An extra pass (a hook, a check,
validation work leaking into training) changes these counts."""
import copy

import pytest
import torch

from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS


def build(cfg):
    torch.manual_seed(0)
    algorithm = MODELS.build(copy.deepcopy(cfg)).train()
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=dict(optimizer=dict(type='SGD', lr=0.01)),
                generator=dict(optimizer=dict(type='Adam', lr=1e-3)))))(
                    algorithm)
    return algorithm, optim


def count_passes(algorithm, optim, iterations=2):
    counts = dict(
        student_forward=0,
        teacher_forward=0,
        generator_forward=0,
        backward=0,
        student_step=0,
        generator_step=0)

    def counter(key):

        def hook(*args):
            counts[key] += 1

        return hook

    algorithm.student.register_forward_hook(counter('student_forward'))
    algorithm.generator.register_forward_hook(counter('generator_forward'))
    for teacher in algorithm.teachers.values():
        teacher.register_forward_hook(counter('teacher_forward'))
    optim.student.optimizer.register_step_post_hook(counter('student_step'))
    optim.generator.optimizer.register_step_post_hook(
        counter('generator_step'))
    for side in (optim.student, optim.generator):
        original = side.backward

        def backward(loss, original=original, **kwargs):
            counts['backward'] += 1
            return original(loss, **kwargs)

        side.backward = backward
    for _ in range(iterations):
        algorithm.train_step(dict(sample_idx=list(range(4))), optim)
    return {key: value / iterations for key, value in counts.items()}


@pytest.mark.parametrize('student_train_first', [True, False])
def test_one_dfad_iteration_makes_exactly_the_passes_it_needs(
        toy_algorithm_cfg, student_train_first):
    # student_iter=3: 3 student updates (one generator forward without
    # gradient, teacher and student forward each) and one generator update
    # (generator, student and teacher forward); one backward per update.
    cfg = dict(toy_algorithm_cfg, student_train_first=student_train_first)
    counts = count_passes(*build(cfg))
    assert counts == dict(
        student_forward=4,
        teacher_forward=4,
        generator_forward=4,
        backward=4,
        student_step=3,
        generator_step=1)


def test_one_dafl_iteration_makes_one_pass_of_each(toy_algorithm_cfg):
    cfg = dict(
        toy_algorithm_cfg,
        type='DAFLDataFreeDistillation',
        student_iter=1,
        generator_distiller=dict(
            type='ConfigurableDistiller',
            teacher_recorders=dict(
                fc=dict(type='ModuleOutputs', source='tea.head.fc')),
            distill_losses=dict(
                loss_oh=dict(type='OnehotLikeLoss', loss_weight=0.05)),
            loss_forward_mappings=dict(
                loss_oh=dict(
                    preds_T=dict(from_student=False, recorder='fc')))))
    counts = count_passes(*build(cfg))
    assert counts == dict(
        student_forward=1,
        teacher_forward=1,
        generator_forward=1,
        backward=2,
        student_step=1,
        generator_step=1)
