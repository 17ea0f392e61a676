# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""LogSpaceKLDivergence: MMRazor's KLDivergence, value for value, with a
finite gradient where the teacher's softmax underflows (what made ZSKT's
generator NaN on Fashion-MNIST), and the configs that use it."""
import pytest
import torch
from mmengine.config import Config
from mmrazor.models.losses import KLDivergence

from mmrazor_dfad.models import LogSpaceKLDivergence
from mmrazor_dfad.registry import MODELS

pytestmark = pytest.mark.filterwarnings(
    'ignore:reduction.+divides the total loss:UserWarning')

ZSKT = 'configs/zskt/zskt_at-logits_lenet5_lenet5half_1xb256_{}.py'


def _value_and_grads(loss, preds_S, preds_T):
    preds_S = preds_S.clone().requires_grad_()
    preds_T = preds_T.clone().requires_grad_()
    value = loss(preds_S, preds_T)
    value.sum().backward()
    return value.detach(), preds_S.grad, preds_T.grad


def _underflowing_teacher():
    """Logits whose float32 softmax holds exact zeros (a gap of 200)."""
    generator = torch.Generator().manual_seed(0)
    preds_S = torch.randn(4, 10, generator=generator)
    preds_T = torch.randn(4, 10, generator=generator) * 5
    preds_T[1, 3] = preds_T[1].max() - 200.0
    assert (torch.softmax(preds_T, dim=1) == 0).any()
    return preds_S, preds_T


@pytest.mark.parametrize('reduction', ['batchmean', 'mean', 'sum', 'none'])
@pytest.mark.parametrize('tau, teacher_detach', [(1.0, False), (4.0, True)])
def test_equals_mmrazor_kl_divergence(reduction, tau, teacher_detach):
    generator = torch.Generator().manual_seed(1)
    preds_S = torch.randn(6, 10, generator=generator) * 3
    preds_T = torch.randn(6, 10, generator=generator) * 10
    args = dict(
        tau=tau,
        reduction=reduction,
        loss_weight=-2.0,
        teacher_detach=teacher_detach)
    ours = _value_and_grads(LogSpaceKLDivergence(**args), preds_S, preds_T)
    theirs = _value_and_grads(KLDivergence(**args), preds_S, preds_T)
    for mine, reference in zip(ours, theirs):
        if reference is None:  # the detached teacher gets no gradient
            assert mine is None
        else:
            torch.testing.assert_close(mine, reference)


def test_gradient_is_finite_where_the_teacher_softmax_underflows():
    preds_S, preds_T = _underflowing_teacher()
    loss = LogSpaceKLDivergence(
        loss_weight=-2.0, reduction='mean', teacher_detach=False)
    value, grad_S, grad_T = _value_and_grads(loss, preds_S, preds_T)
    assert torch.isfinite(value)
    assert torch.isfinite(grad_S).all() and torch.isfinite(grad_T).all()
    # The underflowing probability contributes nothing to the teacher's
    # gradient (exactly 0 in its entry).
    assert grad_T[1, 3] == 0
    # The value is the divergence the softmax form would compute.
    reference = KLDivergence(
        loss_weight=-2.0, reduction='mean', teacher_detach=False)
    torch.testing.assert_close(value, reference(preds_S, preds_T))


def test_a_generator_step_stays_finite_where_the_teacher_is_extreme():
    # A generator maximising the divergence through an undetached teacher
    # whose logits on one image span far beyond 104: one Adam step must
    # leave its weights finite (the softmax form makes them all NaN).
    torch.manual_seed(0)
    generator = torch.nn.Linear(4, 8)
    teacher = torch.nn.Linear(8, 10)
    student = torch.nn.Linear(8, 10)
    with torch.no_grad():
        teacher.weight.mul_(400.0)
    for p in (*teacher.parameters(), *student.parameters()):
        p.requires_grad_(False)
    images = generator(torch.randn(16, 4))
    preds_T = teacher(images)
    assert (torch.softmax(preds_T, dim=1) == 0).any()
    loss = MODELS.build(
        dict(
            type='LogSpaceKLDivergence',
            loss_weight=-2.0,
            reduction='mean',
            teacher_detach=False))(student(images), preds_T)
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3)
    loss.backward()
    optimizer.step()
    assert all(torch.isfinite(p).all() for p in generator.parameters())


def test_fashion_mnist_zskt_generator_uses_it_and_mnist_keeps_mmrazor_loss():
    losses = {
        name: Config.fromfile(
            ZSKT.format(name)).model.generator_distiller.distill_losses.loss_kl
        for name in ('fashionmnist', 'mnist')
    }
    assert losses['fashionmnist'].type == 'LogSpaceKLDivergence'
    assert losses['fashionmnist'].teacher_detach is False
    assert losses['fashionmnist'].loss_weight == -2.0
    assert losses['mnist'].type == 'KLDivergence'
