# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapperDict, build_optim_wrapper

from mmrazor_dfad.engine import AlternatingOptimWrapper
from mmrazor_dfad.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmrazor_dfad.testing import (build, build_optim, count_steps,
                                  data_free_batch, logits_distiller, snapshot)


def test_train_step_moves_only_what_it_should(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg).train()
    optim = build_optim(algorithm)
    teacher = algorithm.teachers['tea']
    teacher_before = snapshot(teacher)
    student_before = snapshot(algorithm.student)
    generator_before = snapshot(algorithm.generator)
    student_steps = count_steps(optim.student)
    generator_steps = count_steps(optim.generator)

    log_vars = algorithm.train_step(data_free_batch(6), optim)

    # Teacher: weights and BN statistics untouched, still frozen and eval.
    for key, value in snapshot(teacher).items():
        assert torch.equal(value, teacher_before[key]), key
    assert not teacher.training
    assert all(not p.requires_grad for p in teacher.parameters())
    assert all(p.grad is None for p in teacher.parameters())
    # Student and generator learned.
    assert not torch.equal(algorithm.student.head.fc.weight,
                           student_before['head.fc.weight'])
    assert not torch.equal(algorithm.generator.linear.weight,
                           generator_before['linear.weight'])
    # Exactly student_iter student updates and one generator update.
    assert student_steps['steps'] == toy_algorithm_cfg['student_iter'] == 3
    assert generator_steps['steps'] == 1
    # Loss signs: the student minimises the discrepancy, the generator
    # maximises it (negative loss).
    assert log_vars['distill.loss_l1'] > 0
    assert log_vars['generator.loss_l1'] < 0
    assert set(log_vars) == {
        'distill.loss', 'distill.loss_l1', 'generator.loss',
        'generator.loss_l1'
    }


def test_generator_step_leaves_the_student_untouched(toy_algorithm_cfg):
    # student_train_first=True: the generator update comes last, so the
    # student's weights at the end are the ones of its last update.
    algorithm = build(toy_algorithm_cfg).train()
    optim = build_optim(algorithm)
    after_last_student_update = {}
    optim.student.optimizer.register_step_post_hook(
        lambda *args: after_last_student_update.update({
            k: v.detach().clone()
            for k, v in algorithm.student.named_parameters()
        }))
    generator_grads = {}
    optim.generator.optimizer.register_step_pre_hook(
        lambda *args: generator_grads.update({
            k: p.grad.clone()
            for k, p in algorithm.generator.named_parameters()
        }))

    algorithm.train_step(data_free_batch(4), optim)

    for name, param in algorithm.student.named_parameters():
        assert torch.equal(param, after_last_student_update[name]), name
        # The student's gradients of the generator step were discarded.
        assert param.grad is None or not param.grad.any(), name
    # The generator's gradients came through teacher and student.
    assert any(grad.abs().sum() > 0 for grad in generator_grads.values())


def test_generator_first_order(toy_algorithm_cfg):
    cfg = dict(toy_algorithm_cfg, student_train_first=False, student_iter=2)
    algorithm = build(cfg).train()
    optim = build_optim(algorithm)
    order = []
    optim.student.optimizer.register_step_post_hook(
        lambda *args: order.append('student'))
    optim.generator.optimizer.register_step_post_hook(
        lambda *args: order.append('generator'))
    algorithm.train_step(data_free_batch(4), optim)
    assert order == ['generator', 'student', 'student']


def test_losses_are_the_l1_between_logits(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg).train()
    images = algorithm.generator(batch_size=5)
    losses = algorithm._discrepancy(
        algorithm.generator_distiller, images, teacher_needs_grad=True)
    student_logits = algorithm.student(images, mode='tensor')
    teacher_logits = algorithm.teachers['tea'](images, mode='tensor')
    torch.testing.assert_close(losses['loss_l1'],
                               -F.l1_loss(student_logits, teacher_logits))


def test_mmrazor_optim_wrapper_dict_is_accepted(toy_algorithm_cfg):
    # What MMRazor's SeparateOptimWrapperConstructor builds.
    algorithm = build(toy_algorithm_cfg).train()
    optim = OptimWrapperDict(
        architecture=build_optim_wrapper(
            algorithm.student, dict(optimizer=dict(type='SGD', lr=0.1))),
        generator=build_optim_wrapper(
            algorithm.generator, dict(optimizer=dict(type='Adam', lr=1e-3))))
    log_vars = algorithm.train_step(
        dict(inputs=[torch.zeros(3, 8, 8)] * 3, data_samples=[None] * 3),
        optim)
    assert log_vars['generator.loss'] < 0
    with pytest.raises(ValueError, match='exactly the optimizer wrappers'):
        AlternatingOptimWrapper(architecture=optim['architecture'])


def test_teachers_stay_in_eval_mode(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    algorithm.train()
    assert algorithm.student.training and algorithm.generator.training
    assert not algorithm.teachers['tea'].training


def test_batch_size_comes_from_the_batch(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    assert algorithm.infer_batch_size(data_free_batch(7)) == 7
    assert algorithm.infer_batch_size(dict(inputs=[1, 2])) == 2
    with pytest.raises(TypeError, match='DataFreeDataset'):
        algorithm.infer_batch_size(dict())


def test_bad_configs_fail_with_the_fix(toy_algorithm_cfg, tmp_path):
    with pytest.raises(ValueError, match='student_iter must be an integer'):
        build(dict(toy_algorithm_cfg, student_iter=0))
    with pytest.raises(TypeError, match='teachers must be a non-empty dict'):
        build(dict(toy_algorithm_cfg, teachers='ToyClassifier'))
    missing = copy.deepcopy(toy_algorithm_cfg)
    missing['teachers']['tea']['ckpt_path'] = str(tmp_path / 'nope.pth')
    with pytest.raises(
            FileNotFoundError, match="Fix model.teachers\\['tea'\\]"):
        build(missing)
    wrong = copy.deepcopy(toy_algorithm_cfg)
    wrong['teachers']['tea']['build_cfg'] = dict(
        type='ToyClassifier', width=8, num_classes=5)
    with pytest.raises(
            ValueError,
            match='(?s)does not fit.*size mismatch for head.fc.weight'):
        build(wrong)
    torch.save(
        dict(state_dict={'other.weight': torch.zeros(1)}),
        tmp_path / 'other.pth')
    foreign = copy.deepcopy(toy_algorithm_cfg)
    foreign['teachers']['tea']['ckpt_path'] = str(tmp_path / 'other.pth')
    with pytest.raises(KeyError, match='unexpected keys: other.weight'):
        build(foreign)


def test_collaborating_generator_warns(toy_algorithm_cfg):
    cfg = dict(
        toy_algorithm_cfg, generator_distiller=logits_distiller('tea', 1.0))
    with pytest.warns(UserWarning, match='collaborates with the student'):
        build(cfg)


def test_one_sided_generator_terms_do_not_warn(toy_algorithm_cfg):
    """DAFL's class-balance entropy on the teacher alone may be positive."""
    import warnings
    distiller = logits_distiller('tea', -1.0)
    distiller['distill_losses']['loss_ie'] = dict(
        type='InformationEntropyLoss', loss_weight=5.0, gather=True)
    distiller['loss_forward_mappings']['loss_ie'] = dict(
        preds_T=dict(from_student=False, recorder='t_fc'))
    cfg = dict(toy_algorithm_cfg, generator_distiller=distiller)
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='.*collaborates')
        algorithm = build(cfg).train()
    log_vars = algorithm.train_step(data_free_batch(4), build_optim(algorithm))
    assert 'generator.loss_ie' in log_vars
    assert log_vars['generator.loss_ie'] < 0


def test_incompatible_shapes_fail_at_build(toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['generator']['out_channels'] = 1  # the toy teacher takes RGB
    with pytest.raises(
            ValueError,
            match=r"\(N, 1, 8, 8\) images but the "
            r"teacher 'tea' cannot take them"):
        build(cfg)
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['architecture']['num_classes'] = 5
    with pytest.raises(
            ValueError,
            match=r'Student logits have shape '
            r'\(2, 5\) but the teacher'):
        build(cfg)


def test_nan_loss_stops_before_any_update(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg).train()
    optim = build_optim(algorithm)
    with torch.no_grad():
        algorithm.student.head.fc.bias.fill_(float('nan'))
    student_before = snapshot(algorithm.student)
    generator_before = snapshot(algorithm.generator)
    with pytest.raises(
            FloatingPointError,
            match='student loss is nan .*no checkpoint of this '
            'state is written'):
        algorithm.train_step(data_free_batch(4), optim)
    for before, module in ((student_before, algorithm.student),
                           (generator_before, algorithm.generator)):
        for key, value in snapshot(module).items():
            if value.is_floating_point() and 'running' not in key:
                torch.testing.assert_close(
                    value, before[key], equal_nan=True, rtol=0, atol=0)


def test_unknown_type_names_registry_and_scope(toy_algorithm_cfg):
    from mmengine.registry import init_default_scope
    init_default_scope('mmrazor_dfad')
    cfg = dict(toy_algorithm_cfg, generator=dict(type='NoSuchGenerator'))
    with pytest.raises(
            KeyError,
            match='NoSuchGenerator is not in the mmrazor_dfad::'
            'model registry'):
        build(cfg)


def test_single_optimizer_is_refused(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    single = build_optim_wrapper(algorithm,
                                 dict(optimizer=dict(type='SGD', lr=0.1)))
    with pytest.raises(TypeError, match='separate optimizers'):
        algorithm.train_step(data_free_batch(2), single)


def test_unreachable_teacher_url_says_how_to_fix(toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['teachers']['tea']['ckpt_path'] = 'http://127.0.0.1:9/teacher.pth'
    with pytest.raises(
            RuntimeError,
            match="could not download .*set "
            r"model.teachers\['tea'\].ckpt_path to the local"):
        build(cfg)


def _alternating_optim(algorithm,
                       optimizer_kwargs=None,
                       generator_optimizer='Adam',
                       **constructor_kwargs):
    """SGD student, ``generator_optimizer`` generator (lr 1e-3)."""
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=dict(
                    optimizer=dict(
                        type='SGD',
                        lr=0.1,
                        momentum=0.9,
                        **(optimizer_kwargs or {}))),
                generator=dict(
                    optimizer=dict(
                        type=generator_optimizer,
                        lr=1e-3,
                        **(optimizer_kwargs or {}))),
                **constructor_kwargs)))
    return constructor(algorithm)


def _weights_after(cfg,
                   iterations,
                   optimizer_kwargs=None,
                   generator_optimizer='Adam'):
    algorithm = build(cfg).train()
    optim = _alternating_optim(algorithm, optimizer_kwargs,
                               generator_optimizer)
    for _ in range(iterations):
        algorithm.train_step(data_free_batch(4), optim)
    return snapshot(algorithm.student), snapshot(algorithm.generator)


def test_speed_switches_keep_the_math(toy_algorithm_cfg):
    reference = _weights_after(toy_algorithm_cfg, 3)
    # foreach optimizer kernels: exactly the same updates.
    foreach = _weights_after(toy_algorithm_cfg, 3, dict(foreach=True))
    for ref, other in zip(reference, foreach):
        for key in ref:
            assert torch.equal(ref[key], other[key]), key
    # channels_last: the same math, summed in another order. Compared with
    # SGD: the generator's conv biases feed BatchNorm, so their true
    # gradient is 0 and Adam would blow the rounding noise up to lr size.
    reference = _weights_after(toy_algorithm_cfg, 2, generator_optimizer='SGD')
    channels_last = _weights_after(
        dict(toy_algorithm_cfg, channels_last=True),
        2,
        generator_optimizer='SGD')
    for ref, other in zip(reference, channels_last):
        for key in ref:
            torch.testing.assert_close(
                ref[key], other[key], rtol=1e-4, atol=1e-5)


def test_skipping_student_weight_grads_keeps_the_math(toy_algorithm_cfg,
                                                      monkeypatch):
    """The generator step no longer computes the student's weight gradients;
    the generator's update must be exactly what it was with them."""
    import contextlib

    from mmrazor_dfad.models.algorithms import data_free_distillation
    frozen_during_step = []
    real_frozen_weights = data_free_distillation.frozen_weights

    @contextlib.contextmanager
    def spy(module):
        with real_frozen_weights(module):
            frozen_during_step.append(not any(p.requires_grad
                                              for p in module.parameters()))
            yield

    monkeypatch.setattr(data_free_distillation, 'frozen_weights', spy)
    skipped = _weights_after(toy_algorithm_cfg, 3)
    assert frozen_during_step == [True] * 3

    @contextlib.contextmanager
    def compute_then_discard(module):
        yield
        module.zero_grad()

    monkeypatch.setattr(data_free_distillation, 'frozen_weights',
                        compute_then_discard)
    computed = _weights_after(toy_algorithm_cfg, 3)
    for ref, other in zip(computed, skipped):
        for key in ref:
            assert torch.equal(ref[key], other[key]), key


def test_frozen_weights_are_restored_even_on_error(toy_algorithm_cfg):
    from mmrazor_dfad.models.algorithms.data_free_distillation import \
        frozen_weights
    algorithm = build(toy_algorithm_cfg)
    student = algorithm.student
    student.head.fc.bias.requires_grad_(False)  # user-frozen stays frozen
    with pytest.raises(RuntimeError, match='boom'):
        with frozen_weights(student):
            assert not any(p.requires_grad for p in student.parameters())
            raise RuntimeError('boom')
    for name, param in student.named_parameters():
        assert param.requires_grad == (name != 'head.fc.bias'), name


def _train_with_generator_lr(cfg, generator_lrs, **constructor_kwargs):
    """Train one iteration per entry of ``generator_lrs`` (the generator's
    learning rate at that iteration); return the algorithm, the generator
    optimizer's step count and the logged keys per iteration."""
    algorithm = build(cfg).train()
    optim = _alternating_optim(algorithm, **constructor_kwargs)
    generator_steps = count_steps(optim.generator)
    logged = []
    for lr in generator_lrs:
        for group in optim.generator.optimizer.param_groups:
            group['lr'] = lr
        logged.append(sorted(algorithm.train_step(data_free_batch(4), optim)))
    return algorithm, generator_steps['steps'], logged


SKIP_CASES = dict(
    plain=dict(),
    # A pool fed by the generator's updates and an augmentation drawn in
    # them: what a skipped update would have stored and drawn.
    pool_and_augmentation=dict(
        pool=dict(
            type='SyntheticImagePool',
            capacity=64,
            replay_fraction=0.5,
            fill_from='both',
            dtype='float32'),
        generator_augmentation=dict(
            type='RandomShiftFlip', max_shift=1, seed=0)))


@pytest.mark.parametrize('case', sorted(SKIP_CASES))
def test_zero_lr_generator_updates_are_skipped_exactly(toy_algorithm_cfg,
                                                       case):
    """A generator step at learning rate 0 cannot move the generator, so it
    is skipped; what it would have changed besides the weights (noise
    stream, BatchNorm running statistics of generator and student, pool,
    augmentation draws) is changed all the same, so the whole model state
    ends exactly where running the steps leaves it."""
    cfg = dict(copy.deepcopy(toy_algorithm_cfg), **SKIP_CASES[case])
    lrs = [1e-3, 1e-3, 0.0, 0.0, 0.0]
    skipped, skipped_steps, skipped_logs = _train_with_generator_lr(cfg, lrs)
    ran, ran_steps, ran_logs = _train_with_generator_lr(
        cfg, lrs, skip_generator_at_zero_lr=False)
    assert (skipped_steps, ran_steps) == (2, 5)
    assert all(
        any(k.startswith('generator.') for k in keys) for keys in ran_logs)
    assert [
        any(k.startswith('generator.') for k in keys) for keys in skipped_logs
    ] == [True, True, False, False, False]
    # Weights, BatchNorm running statistics (which the label-free bank,
    # best-checkpoint selection and early stopping read), pool, counters.
    theirs = ran.state_dict()
    ours = skipped.state_dict()
    assert ours.keys() == theirs.keys()
    for key, value in ours.items():
        assert torch.equal(value, theirs[key]), key


def test_generator_updates_resume_when_lr_rises(toy_algorithm_cfg):
    _, steps, logs = _train_with_generator_lr(toy_algorithm_cfg,
                                              [0.0, 0.0, 1e-3])
    assert steps == 1
    assert any(k.startswith('generator.') for k in logs[-1])


def test_losses_of_skipped_updates_leave_the_log(toy_algorithm_cfg):
    from types import SimpleNamespace

    from mmengine.logging import MessageHub

    from mmrazor_dfad.engine.hooks import DropStaleLogsHook
    hub = MessageHub.get_instance('test_losses_of_skipped_updates')
    runner = SimpleNamespace(message_hub=hub, iter=0)
    hook = DropStaleLogsHook()
    hub.update_scalar('train/generator.lr', 0.0)  # the runner's, kept
    for lr in (1e-3, 0.0, 1e-3):
        _, _, logged = _train_with_generator_lr(toy_algorithm_cfg, [lr])
        outputs = {key: torch.tensor(1.0) for key in logged[0]}
        for key, value in outputs.items():  # what RuntimeInfoHook does
            hub.update_scalar(f'train/{key}', value)
        hook.after_train_iter(runner, runner.iter, None, outputs)
        runner.iter += 1
        assert ('train/generator.loss' in hub.log_scalars) == (lr > 0)
        assert 'train/distill.loss' in hub.log_scalars
        assert 'train/generator.lr' in hub.log_scalars


def test_skip_switch_must_be_a_bool(toy_algorithm_cfg):
    with pytest.raises(TypeError, match='skip_generator_at_zero_lr must be'):
        _train_with_generator_lr(
            toy_algorithm_cfg, [0.0], skip_generator_at_zero_lr='yes')


def test_compile_switch_accepts_true_and_keeps_state_dict_keys(
        toy_algorithm_cfg):
    plain = build(toy_algorithm_cfg)
    compiled = build(dict(toy_algorithm_cfg, compile_cfg=True))
    # nn.Module.compile is lazy: it marks the modules, compiling at the
    # first call.
    assert compiled.student._compiled_call_impl is not None
    assert compiled.generator._compiled_call_impl is not None
    assert plain.student._compiled_call_impl is None
    assert list(plain.state_dict()) == list(compiled.state_dict())
    with pytest.raises(TypeError, match='compile_cfg must be a dict'):
        build(dict(toy_algorithm_cfg, compile_cfg='{}'))
