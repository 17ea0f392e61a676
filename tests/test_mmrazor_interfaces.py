# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Our classes called the way MMRazor 1.0.0's tests call theirs
(``tests/test_models/test_architectures/test_generators/test_generators.py``
and ``tests/test_models/test_algorithms/test_datafree_distill.py``), by
position and by keyword, with the same meaning."""
import copy

import pytest
import torch
from mmengine import ConfigDict
from mmengine.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper

from mmrazor_dfad.engine import (AlternatingOptimWrapper,
                                 AlternatingOptimWrapperConstructor)
from mmrazor_dfad.models import DAFLGenerator, DataFreeDistillation
from mmrazor_dfad.testing import logits_distiller


def test_dafl_generator_like_mmrazor():
    dafl_generator = DAFLGenerator(
        img_size=32, latent_dim=10, hidden_channels=32)
    z_batch = torch.randn(8, 10)
    fake_img = dafl_generator(z_batch)
    assert fake_img.size() == torch.Size([8, 3, 32, 32])
    with pytest.raises(AssertionError):
        z_batch = torch.randn(8, 11)
        fake_img = dafl_generator(z_batch)
    with pytest.raises(ValueError):
        z_batch = torch.randn(8, 10, 1, 1)
        fake_img = dafl_generator(z_batch)

    fake_img = dafl_generator(batch_size=8)
    assert fake_img.size() == torch.Size([8, 3, 32, 32])

    # scale_factor = 4
    dafl_generator = DAFLGenerator(
        img_size=32, latent_dim=10, hidden_channels=32, scale_factor=4)
    z_batch = torch.randn(8, 10)
    fake_img = dafl_generator(z_batch)
    assert fake_img.size() == torch.Size([8, 3, 32, 32])

    # hidden_channels=64
    dafl_generator = DAFLGenerator(
        img_size=32, latent_dim=10, hidden_channels=64)
    z_batch = torch.randn(8, 10)
    fake_img = dafl_generator(z_batch)
    assert fake_img.size() == torch.Size([8, 3, 32, 32])

    with pytest.raises(AssertionError):
        fake_img = dafl_generator(data=None, batch_size=0)


def test_dafl_generator_positional_arguments_mean_what_mmrazors_do():
    from mmrazor.models.architectures.generators import \
        DAFLGenerator as MMRazorDAFLGenerator
    arguments = (32, 10, 16, 4, 1e-3, 0.1, dict(type='Normal', std=0.5))
    ours, theirs = DAFLGenerator(*arguments), MMRazorDAFLGenerator(*arguments)
    for name in ('img_size', 'latent_dim', 'hidden_channels', 'scale_factor',
                 'init_size', 'init_cfg'):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.conv_blocks1[1].eps == theirs.conv_blocks1[1].eps == 1e-3
    assert ours.conv_blocks1[2].negative_slope == 0.1
    assert ours.out_channels == 3
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]
    # Our own arguments stay usable by keyword after theirs.
    gray = DAFLGenerator(
        *arguments,
        out_channels=1,
        pixel_normalization=dict(mean=[127.5], std=[127.5]))
    assert gray(batch_size=2).shape == (2, 1, 32, 32)


def test_dafl_generator_forward_and_process_latent_like_mmrazor():
    generator = DAFLGenerator(img_size=8, latent_dim=6, hidden_channels=4)
    latent = torch.randn(3, 6)
    generator.eval()
    by_position = generator(latent, 5)  # latent given: batch_size unused
    assert torch.equal(generator(data=latent, batch_size=5), by_position)
    assert torch.equal(generator(latent=latent), by_position)
    assert by_position.shape == (3, 3, 8, 8)
    with pytest.raises(TypeError, match='not both'):
        generator(latent, latent=latent)

    assert torch.equal(generator.process_latent(latent), latent)
    assert generator.process_latent(None, 4).shape == (4, 6)
    assert generator.process_latent(
        latent_data=None, batch_size=2).shape == (2, 6)
    assert generator.process_latent().shape == (1, 6)
    for bad in (torch.randn(2, 5), torch.randn(2, 6, 1, 1)):
        with pytest.raises(ValueError):
            generator.process_latent(bad)
        with pytest.raises(AssertionError):
            generator.process_latent(bad)


def algorithm_kwargs(toy_teacher_ckpt):
    """The shape of MMRazor's ``alg_kwargs``: two teachers, one distiller
    per side."""
    return ConfigDict(
        architecture=dict(type='ToyClassifier', width=4),
        teachers=dict(
            tea1=dict(
                build_cfg=dict(type='ToyClassifier', width=8),
                ckpt_path=toy_teacher_ckpt),
            tea2=dict(
                build_cfg=dict(type='ToyClassifier', width=8),
                ckpt_path=toy_teacher_ckpt)),
        generator=dict(
            type='DAFLGenerator', img_size=8, latent_dim=16,
            hidden_channels=8),
        distiller=logits_distiller('tea1', 1.0),
        generator_distiller=logits_distiller('tea2', -1.0))


def test_data_free_distillation_init_like_mmrazor(toy_teacher_ckpt):
    alg_kwargs = algorithm_kwargs(toy_teacher_ckpt)
    alg = DataFreeDistillation(**alg_kwargs)
    assert len(alg.teachers) == len(alg_kwargs['teachers'])
    assert alg.student is alg.architecture
    assert (alg.student_iter, alg.student_train_first) == (1, False)

    alg_kwargs_ = copy.deepcopy(alg_kwargs)
    alg_kwargs_['teachers'] = 'ToyTeacher'
    with pytest.raises(TypeError):
        DataFreeDistillation(**alg_kwargs_)

    alg_kwargs_ = copy.deepcopy(alg_kwargs)
    alg_kwargs_['generator'] = 'ToyGenerator'
    with pytest.raises(TypeError):
        DataFreeDistillation(**alg_kwargs_)


def test_data_free_distillation_positional_arguments(toy_teacher_ckpt):
    kwargs = algorithm_kwargs(toy_teacher_ckpt)
    # MMRazor's order; the student goes by keyword, as there.
    alg = DataFreeDistillation(
        kwargs['distiller'],
        kwargs['generator_distiller'],
        kwargs['teachers'],
        kwargs['generator'],
        4,
        True,
        architecture=kwargs['architecture'],
        data_preprocessor=dict(type='BaseDataPreprocessor'),
        channels_last=True)
    assert (alg.student_iter, alg.student_train_first) == (4, True)
    assert set(alg.teachers) == {'tea1', 'tea2'}
    assert alg.generator.latent_dim == 16
    assert alg.channels_last is True
    assert 'tea1.head.fc' in alg.distiller.teacher_recorders.recorders[
        't_fc'].source
    assert 'tea2.head.fc' in alg.generator_distiller.teacher_recorders \
        .recorders['t_fc'].source
    with pytest.raises(TypeError):
        # A seventh positional argument is refused, as by MMRazor.
        DataFreeDistillation(kwargs['distiller'],
                             kwargs['generator_distiller'], kwargs['teachers'],
                             kwargs['generator'], 1, False,
                             kwargs['architecture'])


@pytest.mark.parametrize('student_iter', [1, 5])
def test_data_free_distillation_train_step_like_mmrazor(
        toy_teacher_ckpt, student_iter):
    alg_kwargs = algorithm_kwargs(toy_teacher_ckpt)
    alg_kwargs['student_iter'] = student_iter
    optim_wrapper_cfg = dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.1, weight_decay=0.01, momentum=0.9))
    data = dict(inputs=torch.randn(3, 1, 1), data_samples=None)

    alg = DataFreeDistillation(**alg_kwargs)
    optim_wrapper = build_optim_wrapper(alg, optim_wrapper_cfg)
    optim_wrapper_dict = dict(
        architecture=optim_wrapper, generator=optim_wrapper)
    student_before = alg.student.head.fc.weight.detach().clone()

    losses = alg.train_step(data, optim_wrapper_dict)
    assert set(losses) == {
        'distill.loss_l1', 'distill.loss', 'generator.loss_l1',
        'generator.loss'
    }
    assert not torch.equal(alg.student.head.fc.weight, student_before)


def test_train_student_and_train_generator_like_mmrazor(toy_teacher_ckpt):
    alg_kwargs = algorithm_kwargs(toy_teacher_ckpt)
    alg_kwargs['student_iter'] = 3
    alg = DataFreeDistillation(**alg_kwargs)
    student_optim = build_optim_wrapper(
        alg.student, dict(optimizer=dict(type='SGD', lr=0.1)))
    generator_optim = build_optim_wrapper(
        alg.generator, dict(optimizer=dict(type='SGD', lr=0.1)))
    steps = dict(student=0, generator=0)
    for name, wrapper in (('student', student_optim), ('generator',
                                                       generator_optim)):
        wrapper.optimizer.register_step_post_hook(
            lambda *args, name=name: steps.__setitem__(name, steps[name] + 1))
    data = dict(inputs=torch.randn(4, 1, 1), data_samples=None)

    generator_before = alg.generator.linear.weight.detach().clone()
    student_before = alg.student.head.fc.weight.detach().clone()
    loss, log_vars = alg.train_generator(data, generator_optim)
    assert set(log_vars) == {'generator.loss', 'generator.loss_l1'}
    assert loss == log_vars['generator.loss'] and loss < 0
    assert not torch.equal(alg.generator.linear.weight, generator_before)
    assert torch.equal(alg.student.head.fc.weight, student_before)

    loss, log_vars = alg.train_student(data, student_optim)
    assert set(log_vars) == {'distill.loss', 'distill.loss_l1'}
    assert loss == log_vars['distill.loss'] and loss > 0
    assert steps == dict(student=3, generator=1)


def test_optim_wrapper_constructor_like_mmrazor(toy_algorithm_cfg):
    from mmrazor_dfad.registry import MODELS
    algorithm = MODELS.build(toy_algorithm_cfg)
    optim_wrapper_cfg = dict(
        architecture=dict(optimizer=dict(type='SGD', lr=0.1)),
        generator=dict(
            type='OptimWrapper',
            optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
            paramwise_cfg=dict(norm_decay_mult=0.0)))
    by_position = AlternatingOptimWrapperConstructor(optim_wrapper_cfg, None)
    by_keyword = AlternatingOptimWrapperConstructor(
        optim_wrapper_cfg=optim_wrapper_cfg, paramwise_cfg=None)
    for constructor in (by_position, by_keyword):
        assert constructor.optim_cfg is optim_wrapper_cfg
        assert set(constructor.constructors) == {'architecture', 'generator'}
        assert constructor.constructors['generator'].paramwise_cfg == dict(
            norm_decay_mult=0.0)
    for wrappers in (by_position(algorithm), by_keyword(module=algorithm),
                     by_keyword(model=algorithm)):
        assert isinstance(wrappers, OptimWrapperDict)
        assert isinstance(wrappers, AlternatingOptimWrapper)
        assert isinstance(wrappers['generator'], OptimWrapper)
        student_params = {id(p) for p in algorithm.student.parameters()}
        assert {
            id(p)
            for group in wrappers['architecture'].param_groups
            for p in group['params']
        } == student_params
        assert isinstance(wrappers['generator'].optimizer, torch.optim.Adam)
    with pytest.raises(TypeError, match='once'):
        by_position(algorithm, model=algorithm)

    with pytest.raises(AssertionError):
        AlternatingOptimWrapperConstructor(optim_wrapper_cfg,
                                           dict(norm_decay_mult=0.0))
    with pytest.raises(TypeError):
        AlternatingOptimWrapperConstructor([optim_wrapper_cfg])
