# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The thing-only class-balance prior: its value on hand-made logits, that
stuff classes do not enter the balance, the hinge on the thing share, and
its gradient direction."""
import math

import pytest
import torch

from mmrazor_dfad.models import ThingBalanceLoss
from mmrazor_dfad.registry import MODELS


def _logits(class_per_pixel, num_classes, scale=50.0):
    """One image of ``(1, C, 1, P)`` logits, near one-hot per pixel."""
    labels = torch.tensor(class_per_pixel)
    onehot = torch.nn.functional.one_hot(labels, num_classes).float()
    return (scale * onehot).t().reshape(1, num_classes, 1, -1)


def test_balanced_things_cost_nothing_whatever_the_stuff_share():
    loss = ThingBalanceLoss(thing_classes=[2, 3])
    # Stuff (0, 1) takes 6 of 8 pixels, the two things one each: balanced.
    logits = _logits([0, 0, 0, 1, 1, 1, 2, 3], num_classes=4)
    assert loss(logits).item() == pytest.approx(0.0, abs=1e-6)
    # DAFL's prior over all classes would charge this batch; ours does not
    # move when stuff pixels change class among themselves.
    logits_other_stuff = _logits([1, 1, 1, 1, 1, 1, 2, 3], num_classes=4)
    assert loss(logits_other_stuff).item() == pytest.approx(0.0, abs=1e-6)


def test_one_thing_class_costs_log_k():
    loss = ThingBalanceLoss(thing_classes=[1, 2, 3], loss_weight=2.0)
    logits = _logits([0, 0, 1, 1], num_classes=4)
    assert loss(logits).item() == pytest.approx(2.0 * math.log(3), rel=1e-4)
    # Three things in shares 1/2, 1/4, 1/4: KL from uniform by hand.
    logits = _logits([1, 1, 2, 3], num_classes=4)
    entropy = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert loss(logits).item() == pytest.approx(
        2.0 * (math.log(3) - entropy), rel=1e-4)


def test_the_hinge_charges_batches_with_too_few_thing_pixels():
    loss = ThingBalanceLoss(thing_classes=[2, 3], min_thing_fraction=0.5)
    # Things balanced but on 2 of 8 pixels: 0.25 short of 0.5.
    logits = _logits([0, 0, 0, 1, 1, 1, 2, 3], num_classes=4)
    assert loss(logits).item() == pytest.approx(math.log(2) * 0.25, rel=1e-4)
    enough = _logits([0, 1, 2, 2, 3, 3, 2, 3], num_classes=4)
    assert loss(enough).item() == pytest.approx(0.0, abs=1e-6)


def test_its_gradient_raises_the_rarer_thing():
    logits = torch.zeros(1, 4, 1, 2)
    logits[0, 2] = 3.0  # thing 2 dominates thing 3
    logits.requires_grad_(True)
    ThingBalanceLoss(thing_classes=[2, 3])(logits).backward()
    # Descent (x -= lr * grad) raises class 3 and lowers class 2.
    assert (logits.grad[0, 3] < 0).all()
    assert (logits.grad[0, 2] > 0).all()


def test_it_is_registered_and_refuses_bad_classes():
    built = MODELS.build(
        dict(type='ThingBalanceLoss', thing_classes=[2, 3, 4]))
    assert isinstance(built, ThingBalanceLoss)
    with pytest.raises(ValueError, match='at least two distinct'):
        ThingBalanceLoss(thing_classes=[2])
    with pytest.raises(ValueError, match='min_thing_fraction'):
        ThingBalanceLoss(thing_classes=[2, 3], min_thing_fraction=1.5)
    with pytest.raises(ValueError, match='out of range'):
        ThingBalanceLoss(thing_classes=[2, 7])(torch.zeros(1, 4, 2, 2))
