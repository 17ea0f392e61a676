# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Generator objectives and schedules beyond plain DFAD: their math on tiny
hand-made cases, and that they plug into the algorithm from a config."""
import copy
import logging

import pytest
import torch
from mmengine.logging import MessageHub

from mmrazor_dfad.engine.hooks import LossWeightScheduleHook
from mmrazor_dfad.models import AgreementMaskedL1Loss, BatchNormStatisticsLoss
from mmrazor_dfad.testing import (build, build_optim, data_free_batch,
                                  logits_distiller)


def test_agreement_masked_l1_counts_only_agreeing_images():
    teacher = torch.tensor([[2.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    student = torch.tensor([[1.0, 0.0], [2.0, 0.0], [1.0, 1.0]])
    # Image 0 agrees (|1-2|+0)/2 = 0.5; image 1 disagrees; image 2 agrees
    # (|1-3|+|1-0|)/2 = 1.5. Sum over agreeing / N = 2 / 3.
    loss = AgreementMaskedL1Loss(loss_weight=-1.0)(student, teacher)
    assert loss.item() == pytest.approx(-2.0 / 3.0)
    assert AgreementMaskedL1Loss()(teacher.flip(1), teacher).item() == 0.0


def test_agreement_masked_l1_pushes_agreeing_images_apart():
    teacher = torch.tensor([[2.0, 0.0]])
    student = torch.tensor([[1.0, 0.0]], requires_grad=True)
    AgreementMaskedL1Loss(loss_weight=-1.0)(student, teacher).backward()
    # Minimising the negative discrepancy moves the student logit away
    # from the teacher's (gradient descent: s -= lr * grad).
    assert student.grad[0, 0] > 0


def test_batchnorm_statistics_loss_value_and_gradient():
    running_mean, running_var = torch.zeros(2), torch.ones(2)
    mean = torch.tensor([3.0, 4.0], requires_grad=True)
    var = torch.tensor([1.0, 1.0], requires_grad=True)
    loss = BatchNormStatisticsLoss(loss_weight=2.0)([(mean, var, running_mean,
                                                      running_var)])
    assert loss.item() == pytest.approx(2.0 * 5.0)  # ||(3, 4)|| = 5
    loss.backward()
    assert torch.all(mean.grad > 0)  # descending moves the means to 0
    with pytest.raises(ValueError, match='has none'):
        BatchNormStatisticsLoss()([])


def bn_prior_cfg(cfg, weight=1.0):
    cfg = copy.deepcopy(cfg)
    generator_distiller = logits_distiller('tea', -1.0)
    generator_distiller['teacher_recorders']['bn'] = dict(
        type='mmrazor_dfad.BatchNormStatistics', source='tea')
    generator_distiller['distill_losses']['loss_bn'] = dict(
        type='mmrazor_dfad.BatchNormStatisticsLoss', loss_weight=weight)
    generator_distiller['loss_forward_mappings']['loss_bn'] = dict(
        bn_statistics=dict(from_student=False, recorder='bn'))
    cfg['generator_distiller'] = generator_distiller
    return cfg


def test_bn_prior_reads_the_teachers_batchnorm_and_trains_the_generator(
        toy_algorithm_cfg):
    algorithm = build(bn_prior_cfg(toy_algorithm_cfg)).train()
    teacher_bn = algorithm.teachers['tea'].backbone[1]
    running = teacher_bn.running_mean.clone()
    optim = build_optim(algorithm)
    log_vars = algorithm.train_step(data_free_batch(8), optim)
    assert log_vars['generator.loss_bn'] > 0
    # The teacher's statistics are read, never updated.
    assert torch.equal(teacher_bn.running_mean, running)


def test_bn_prior_needs_a_teacher_with_batchnorm(toy_algorithm_cfg):
    cfg = bn_prior_cfg(toy_algorithm_cfg)
    cfg['generator_distiller']['teacher_recorders']['bn']['source'] = \
        'tea.head'
    with pytest.raises(ValueError, match="'tea.head' has no BatchNorm"):
        build(cfg)


class FakeRunner:

    def __init__(self, model, iteration):
        self.model = model
        self.iter = iteration
        self.message_hub = MessageHub.get_instance('loss-weight-test')
        self.logger = logging.getLogger('loss-weight-test')


def test_loss_weight_schedule_is_piecewise_linear_in_the_iteration(
        toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    hook = LossWeightScheduleHook(
        'loss_l1', points=[(0, 0.0), (10, 0.0), (20, -1.0)])
    seen = []
    for iteration in (0, 5, 10, 15, 20, 30):
        runner = FakeRunner(algorithm, iteration)
        hook.before_train_iter(runner, iteration)
        seen.append(algorithm.generator_distiller.distill_losses['loss_l1'].
                    loss_weight)
    assert seen == [0.0, 0.0, 0.0, -0.5, -1.0, -1.0]
    assert runner.message_hub.get_scalar(
        'train/generator_distiller.loss_l1.weight').current() == -1.0


def test_loss_weight_schedule_fails_early_on_a_wrong_name(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    hook = LossWeightScheduleHook('loss_adv', points=[(0, 0.0)])
    with pytest.raises(
            KeyError,
            match=r"has no loss 'loss_adv' \(its "
            r"losses: \['loss_l1'\]\)"):
        hook.before_train(FakeRunner(algorithm, 0))
    with pytest.raises(ValueError, match='increase strictly'):
        LossWeightScheduleHook('loss_l1', points=[(5, 0.0), (5, 1.0)])


def test_dafl_priors_of_mmrazor_plug_into_the_generator_distiller(
        toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    distiller = cfg['generator_distiller']
    distiller['distill_losses'].update(
        loss_onehot=dict(type='OnehotLikeLoss', loss_weight=1.0),
        loss_balance=dict(
            type='InformationEntropyLoss', loss_weight=5.0, gather=True),
        loss_adv=dict(
            type='mmrazor_dfad.AgreementMaskedL1Loss', loss_weight=-1.0))
    teacher_logits = dict(from_student=False, recorder='t_fc')
    distiller['loss_forward_mappings'].update(
        loss_onehot=dict(preds_T=teacher_logits),
        loss_balance=dict(preds_T=teacher_logits),
        loss_adv=distiller['loss_forward_mappings']['loss_l1'])
    algorithm = build(cfg).train()
    log_vars = algorithm.train_step(data_free_batch(8), build_optim(algorithm))
    for name in ('loss_l1', 'loss_onehot', 'loss_balance', 'loss_adv'):
        assert torch.isfinite(log_vars[f'generator.{name}'])


@pytest.mark.integration
def test_ema_hook_validates_saves_and_exports_the_averaged_student(tmp_path):
    import os.path as osp

    from mmrazor_dfad.apis import export as export_tool
    from mmrazor_dfad.testing._internal.tool_runs import run_train

    repo_root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    base = osp.join(repo_root, 'configs', 'dfad',
                    'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
    config = tmp_path / 'ema.py'
    config.write_text(
        f'_base_ = [{base!r}]\n'
        "custom_hooks = [dict(type='EMAHook', momentum=0.5)]\n"
        'train_dataloader = dict(batch_size=8)\n'
        'train_cfg = dict(max_iters=3)\n'
        'val_cfg = None\nval_dataloader = None\nval_evaluator = None\n'
        'default_hooks = dict(checkpoint=dict(interval=3))\n')
    run_train([str(config), '--work-dir',
               str(tmp_path / 'run')],
              cwd=repo_root)
    checkpoint = torch.load(
        tmp_path / 'run' / 'iter_3.pth', weights_only=False)
    averaged = checkpoint['state_dict']
    raw = {
        key[len('module.'):]: value
        for key, value in checkpoint['ema_state_dict'].items()
        if key.startswith('module.')
    }
    key = 'architecture.head.fc.weight'
    assert not torch.equal(averaged[key], raw[key])
    export_tool.main([
        str(config),
        str(tmp_path / 'run' / 'iter_3.pth'),
        str(tmp_path / 'student.pth')
    ])
    student = torch.load(tmp_path / 'student.pth', weights_only=False)
    assert torch.equal(student['state_dict']['head.fc.weight'], averaged[key])


def test_total_variation_of_hand_made_images():
    from mmrazor_dfad.models import TotalVariationLoss
    flat = torch.ones(2, 1, 4, 4)
    assert TotalVariationLoss()(flat).item() == 0.0
    stripes = torch.zeros(1, 1, 4, 4)
    stripes[..., 1::2] = 1.0  # vertical stripes: every horizontal step is 1
    stripes.requires_grad_(True)
    loss = TotalVariationLoss(loss_weight=0.5)(stripes)
    assert loss.item() == pytest.approx(0.5 * (0.0 + 1.0))
    loss.backward()
    # Descending the gradient evens out the stripes.
    assert stripes.grad[0, 0, 1, 0] < 0 and stripes.grad[0, 0, 1, 1] > 0


def test_generator_can_emit_pixel_range_images():
    from mmrazor_dfad.models import DAFLGenerator
    generator = DAFLGenerator(
        img_size=8,
        latent_dim=4,
        hidden_channels=4,
        out_channels=1,
        pixel_normalization=dict(mean=[72.94], std=[90.02]))
    images = generator(batch_size=16)
    assert images.min() >= (0 - 72.94) / 90.02 - 1e-6
    assert images.max() <= (255 - 72.94) / 90.02 + 1e-6
    with pytest.raises(ValueError, match='one mean and one std per channel'):
        DAFLGenerator(
            img_size=8,
            latent_dim=4,
            hidden_channels=4,
            out_channels=3,
            pixel_normalization=dict(mean=[0.0], std=[1.0]))


def test_student_batch_size_sets_the_student_updates_batch_only(
        toy_algorithm_cfg):
    cfg = dict(toy_algorithm_cfg, student_batch_size=2)
    algorithm = build(cfg).train()
    optim = build_optim(algorithm)
    student_batches, generator_batches = [], []
    algorithm.student.register_forward_hook(
        lambda module, args, output: student_batches.append(len(args[0])))
    algorithm.generator.register_forward_hook(
        lambda module, args, output: generator_batches.append(len(output)))

    algorithm.train_step(data_free_batch(6), optim)

    # student_train_first: 3 student updates on 2 fresh images each, then
    # the generator update on the training batch (6), seen by the student.
    assert generator_batches == [2, 2, 2, 6]
    assert student_batches == [2, 2, 2, 6]


@pytest.mark.parametrize('value', [0, -1, 2.5, True, '4'])
def test_student_batch_size_must_be_a_positive_integer(toy_algorithm_cfg,
                                                       value):
    with pytest.raises(ValueError, match='student_batch_size must be an'):
        build(dict(toy_algorithm_cfg, student_batch_size=value))
