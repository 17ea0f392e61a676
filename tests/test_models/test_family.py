# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""DAFL's update rule, ZSKT's generator in our validation, and the checks
the family shares (loss names, data samples, wrappers)."""
import copy

import pytest
import torch
from mmengine import Config
from mmengine.optim import OptimWrapper

from mmrazor_dfad.engine import AlternatingOptimWrapper
from mmrazor_dfad.models import DAFLGenerator
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.structures import classification_data_sample_type
from mmrazor_dfad.testing import logits_distiller
from mmrazor_dfad.utils import use_cpu_capable_model_wrapper


def dafl_cfg(toy_algorithm_cfg):
    """The tiny algorithm of the fixtures with DAFL's rule and losses."""
    teacher_logits = dict(from_student=False, recorder='t_fc')
    return dict(
        toy_algorithm_cfg,
        type='DAFLDataFreeDistillation',
        student_iter=1,
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(
                fc=dict(type='ModuleOutputs', source='head.fc')),
            teacher_recorders=dict(
                t_fc=dict(type='ModuleOutputs', source='tea.head.fc')),
            distill_losses=dict(loss_kl=dict(type='KLDivergence')),
            loss_forward_mappings=dict(
                loss_kl=dict(
                    preds_S=dict(from_student=True, recorder='fc'),
                    preds_T=teacher_logits))),
        generator_distiller=dict(
            type='ConfigurableDistiller',
            teacher_recorders=dict(
                t_fc=dict(type='ModuleOutputs', source='tea.head.fc')),
            distill_losses=dict(
                loss_onehot=dict(type='OnehotLikeLoss'),
                loss_entropy=dict(
                    type='InformationEntropyLoss', loss_weight=5.0)),
            loss_forward_mappings=dict(
                loss_onehot=dict(preds_T=teacher_logits),
                loss_entropy=dict(preds_T=teacher_logits))))


def wrappers(algorithm, student_lr=0.1, generator_lr=0.1):
    return AlternatingOptimWrapper(
        architecture=OptimWrapper(
            torch.optim.SGD(algorithm.student.parameters(), lr=student_lr)),
        generator=OptimWrapper(
            torch.optim.SGD(algorithm.generator.parameters(),
                            lr=generator_lr)))


def test_dafl_one_generated_batch_one_teacher_pass_two_updates(
        toy_algorithm_cfg):
    torch.manual_seed(0)
    algorithm = MODELS.build(dafl_cfg(toy_algorithm_cfg))
    calls = dict(generator=0, teacher=0, student=0)
    for name, module in (('generator', algorithm.generator),
                         ('teacher', algorithm.teachers['tea']),
                         ('student', algorithm.student)):
        module.register_forward_hook(
            lambda *args, name=name: calls.__setitem__(name, calls[name] + 1))
    steps = dict(student=0, generator=0)
    optim = wrappers(algorithm)
    for name in steps:
        getattr(optim, name).optimizer.register_step_post_hook(
            lambda *args, name=name: steps.__setitem__(name, steps[name] + 1))
    before = {
        name:
        [p.detach().clone() for p in getattr(algorithm, name).parameters()]
        for name in ('student', 'generator')
    }
    log_vars = algorithm.train_step(dict(inputs=[0] * 6), optim)
    assert calls == dict(generator=1, teacher=1, student=1)
    assert steps == dict(student=1, generator=1)
    assert set(log_vars) == {
        'generator.loss', 'generator.loss_onehot', 'generator.loss_entropy',
        'distill.loss', 'distill.loss_kl'
    }
    for name, values in before.items():
        moved = [
            not torch.equal(old, new)
            for old, new in zip(values,
                                getattr(algorithm, name).parameters())
        ]
        assert any(moved), name
    assert all(not p.requires_grad
               for p in algorithm.teachers['tea'].parameters())


def test_dafl_updates_do_not_reach_each_other(toy_algorithm_cfg):
    torch.manual_seed(0)
    algorithm = MODELS.build(dafl_cfg(toy_algorithm_cfg))
    optim = wrappers(algorithm)
    # Which backward pass (the generator's loss or the student's) gives
    # gradients to which player's weights: each parameter's gradient hook
    # fires while the pass computes it, before any optimizer clears it.
    running = []
    for side in ('generator', 'student'):
        wrapper = getattr(optim, side)
        backward = wrapper.backward

        def labelled(loss, side=side, backward=backward, **kwargs):
            running.append(side)
            try:
                return backward(loss, **kwargs)
            finally:
                running.pop()

        wrapper.backward = labelled
    reached = {(loss, player): 0.0
               for loss in ('generator', 'student')
               for player in ('generator', 'student')}

    def record(grad, player):
        reached[(running[-1], player)] += float(grad.abs().sum())

    for player in ('generator', 'student'):
        for param in getattr(algorithm, player).parameters():
            param.register_hook(
                lambda grad, player=player: record(grad, player))
    algorithm.train_step(dict(inputs=[0] * 6), optim)
    # Each loss reaches its own player's weights, and only those.
    assert reached[('generator', 'generator')] > 0
    assert reached[('student', 'student')] > 0
    assert reached[('generator', 'student')] == 0, 'generator loss'
    assert reached[('student', 'generator')] == 0, 'student loss'


def test_dafl_at_generator_lr_0_still_feeds_the_student(toy_algorithm_cfg):
    # The same schedule as DFAD's: the generator update is skipped and its
    # stand-in makes the batch (and the teacher's outputs) the student
    # update distils on; the generator's state moves as in an update.
    runs = {}
    for skip in (True, False):
        torch.manual_seed(0)
        algorithm = MODELS.build(dafl_cfg(toy_algorithm_cfg))
        optim = AlternatingOptimWrapper(
            skip_generator_at_zero_lr=skip,
            architecture=OptimWrapper(
                torch.optim.SGD(algorithm.student.parameters(), lr=0.1)),
            generator=OptimWrapper(
                torch.optim.SGD(algorithm.generator.parameters(), lr=0.0)))
        logged = [
            sorted(algorithm.train_step(dict(inputs=[0] * 6), optim))
            for _ in range(2)
        ]
        runs[skip] = algorithm.state_dict(), logged
    (skipped, skipped_logs), (ran, ran_logs) = runs[True], runs[False]
    assert all('distill.loss' in keys for keys in skipped_logs)
    assert not any(k.startswith('generator.') for k in skipped_logs[0])
    assert any(k.startswith('generator.') for k in ran_logs[0])
    for key, value in ran.items():
        assert torch.equal(skipped[key], value), key
    with pytest.raises(RuntimeError, match='call train_generator'):
        MODELS.build(dafl_cfg(toy_algorithm_cfg)).train_student(
            dict(inputs=[0] * 2), optim.student)


def test_dafl_refuses_what_it_does_not_do(toy_algorithm_cfg):
    cfg = dafl_cfg(toy_algorithm_cfg)
    with pytest.raises(ValueError, match='student_iter=3'):
        MODELS.build(dict(cfg, student_iter=3))
    with pytest.raises(ValueError, match='model.pool'):
        MODELS.build(
            dict(cfg, pool=dict(type='SyntheticImagePool', capacity=8)))
    adversarial = copy.deepcopy(cfg)
    adversarial['generator_distiller'] = logits_distiller('tea', -1.0)
    with pytest.raises(ValueError, match="records the student \\(\\['fc'\\]"):
        MODELS.build(adversarial)


@pytest.mark.parametrize('key', ['distiller', 'generator_distiller'])
def test_a_loss_name_without_loss_is_refused_at_build(toy_algorithm_cfg, key):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    distiller = cfg[key]
    distiller['distill_losses'] = dict(
        l1=distiller['distill_losses'].pop('loss_l1'))
    distiller['loss_forward_mappings'] = dict(
        l1=distiller['loss_forward_mappings'].pop('loss_l1'))
    with pytest.raises(
            ValueError,
            match=f"model.{key}.distill_losses\\['l1'\\].*'loss_l1'"):
        MODELS.build(cfg)


def test_mmrazor_zskt_generator_in_bank_and_sample_grid(
        toy_algorithm_cfg, tmp_path):
    from mmrazor_dfad.engine.hooks import GeneratedSamplesHook
    from mmrazor_dfad.testing.runners import visualizer_runner
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['generator'] = dict(
        type='mmrazor.ZSKTGenerator',
        img_size=8,
        latent_dim=16,
        hidden_channels=8)
    algorithm = MODELS.build(cfg)
    assert type(algorithm.generator).__module__.startswith('mmrazor.')
    algorithm.eval()
    first = algorithm.bank_images([0, 1, 2], [5, 5, 5])
    again = algorithm.bank_images([2], [5])
    assert first.shape == (3, 3, 8, 8)
    torch.testing.assert_close(again[0], first[2])
    predictions = algorithm.val_step(dict(bank_index=[0, 1], bank_seed=[5, 5]))
    assert predictions[0].student_logits.shape == (10, )

    runner = visualizer_runner(algorithm, str(tmp_path), 'zskt_samples')
    hook = GeneratedSamplesHook(num_images=4, nrow=2)
    hook._save(runner, step=1)
    assert list(tmp_path.rglob('generated_samples_1.png'))


def test_dafl_generator_draws_from_the_global_generator_on_request():
    generator = DAFLGenerator(
        img_size=8, latent_dim=6, hidden_channels=4, latent_rng='global')
    torch.manual_seed(3)
    drawn = generator.sample_latent(2)
    torch.manual_seed(3)
    torch.testing.assert_close(drawn, torch.randn(2, 6))
    # The private generator leaves the global stream alone.
    private = DAFLGenerator(img_size=8, latent_dim=6, hidden_channels=4)
    torch.manual_seed(3)
    private.sample_latent(2)
    torch.testing.assert_close(torch.randn(2, 6), drawn)
    with pytest.raises(ValueError, match="'private', 'global'"):
        DAFLGenerator(
            img_size=8, latent_dim=6, hidden_channels=4, latent_rng='gpu')


def test_mmengine_separate_ddp_wrapper_is_replaced_by_ours():
    cfg = Config(
        dict(
            model_wrapper_cfg=dict(
                type='mmengine.MMSeparateDistributedDataParallel',
                broadcast_buffers=False,
                find_unused_parameters=True)))
    note = use_cpu_capable_model_wrapper(cfg)
    assert 'DataFreeDistributedDataParallel' in note
    assert cfg.model_wrapper_cfg == dict(
        type='mmrazor_dfad.DataFreeDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=True)
    assert use_cpu_capable_model_wrapper(cfg) is None
    assert use_cpu_capable_model_wrapper(Config(dict())) is None


def test_classification_data_sample_of_the_installed_library():
    sample = classification_data_sample_type()()
    sample.set_pred_score(torch.tensor([0.2, 0.8])).set_pred_label(1)
    assert int(sample.pred_label.item(
    ) if hasattr(sample.pred_label, 'item') else sample.pred_label.label) == 1
