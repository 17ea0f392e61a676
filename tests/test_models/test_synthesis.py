# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Soft class targets, differentiable augmentation and images optimised
against the teacher: their math on small hand-made cases, and that they
plug into the algorithm and its pool from a config."""
import copy

import pytest
import torch
import torch.nn as nn

from mmrazor_dfad.models import (ClassSimilarityKLLoss, ClassSimilarityTargets,
                                 RandomShiftFlip, SyntheticImagePool)
from mmrazor_dfad.models.synthesizers import class_similarity
from mmrazor_dfad.models.synthesizers.class_similarity import (
    class_vectors_from_logits, find_classifier)
from mmrazor_dfad.testing import build, build_optim, data_free_batch
from mmrazor_dfad.testing.toy_models import ToyClassifier


def rng(seed=0):
    return torch.Generator().manual_seed(seed)


def test_class_similarity_is_min_max_normalised_cosine():
    vectors = torch.tensor([[1.0, 0.0], [0.9, 0.1], [-1.0, 0.0]])
    similarity = class_similarity(vectors)
    assert torch.allclose(similarity.diagonal(), torch.ones(3))
    # Row 0: its own class 1, the near class high, the opposite one at the
    # floor (never 0: Dirichlet concentrations must be positive).
    assert similarity[0, 1] > 0.9
    assert 0 < similarity[0, 2] < 1e-5
    with pytest.raises(ValueError, match='K >= 2'):
        class_similarity(torch.ones(1, 4))


# Three class vectors: class 1 is near class 0, class 2 its opposite.
THREE_VECTORS = torch.tensor([[1.0, 0.0], [0.6, 0.8], [-1.0, 0.0]])
# By hand: the cosines are
#   [[ 1.0,  0.6, -1.0],
#    [ 0.6,  1.0, -0.6],
#    [-1.0, -0.6,  1.0]];
# min-max per row, (c - min) / (max - min):
#   row 0: (c + 1) / 2        = (1, 0.8, 0)
#   row 1: (c + 0.6) / 1.6    = (0.75, 1, 0)
#   row 2: (c + 1) / 2        = (0, 0.2, 1)
# and 0 floored to 1e-6 (a Dirichlet concentration must be > 0).
THREE_SIMILARITY = torch.tensor([[1.0, 0.8, 1e-6], [0.75, 1.0, 1e-6],
                                 [1e-6, 0.2, 1.0]])


def test_three_class_similarity_and_dirichlet_match_hand_values():
    targets = ClassSimilarityTargets(num_classes=3, betas=(1.0, ))
    targets.fit(THREE_VECTORS)
    torch.testing.assert_close(
        targets.similarity, THREE_SIMILARITY, rtol=0, atol=1e-6)
    # Class 0 at beta 1: concentration a = (1, 0.8, 1e-6), a0 = 1.800001;
    # Dirichlet mean a / a0 = (0.5555552, 0.4444442, 5.6e-7) and variance
    # m (1 - m) / (a0 + 1): 0.5555552 * 0.4444448 / 2.800001 = 0.0881834
    # (the same for component 1, 2.0e-7 for component 2).
    # Class 1: a = (0.75, 1, 1e-6), a0 = 1.750001; mean (0.4285712,
    # 0.5714282, 5.7e-7); variance 0.4285712 * 0.5714288 / 2.750001 =
    # 0.0890538.
    expected = {
        0: ([0.5555552, 0.4444442, 5.6e-7], [0.0881834, 0.0881834, 2.0e-7]),
        1: ([0.4285712, 0.5714282, 5.7e-7], [0.0890538, 0.0890538, 2.1e-7]),
    }
    draws = 40000
    for cls, (mean, variance) in expected.items():
        soft = targets.sample(
            torch.full((draws, ), cls, dtype=torch.long), rng(cls)).double()
        # Four standard errors of the mean (sqrt(0.089 / 40000) = 0.0015);
        # the variance within 5% (its relative error here is about 1%).
        torch.testing.assert_close(
            soft.mean(0),
            torch.tensor(mean, dtype=torch.float64),
            rtol=0,
            atol=0.006)
        torch.testing.assert_close(
            soft.var(0)[:2],
            torch.tensor(variance[:2], dtype=torch.float64),
            rtol=0.05,
            atol=0)


def test_kl_at_temperature_20_matches_hand_values():
    # beta = 1e10: each target is its Dirichlet's mean to ~1e-5.
    loss = ClassSimilarityKLLoss(
        num_classes=3, betas=(1e10, ), temperature=20.0, seed=0)
    logits = torch.tensor([[2.0, 1.0, -3.0], [-1.0, 4.0, 0.5]])
    value = loss(logits, classifier_weight=THREE_VECTORS)
    torch.testing.assert_close(
        loss.targets.similarity, THREE_SIMILARITY, rtol=0, atol=1e-6)
    # Image 0, argmax class 0: target p = (1, 0.8, 1e-6) / 1.800001 =
    # (0.5555552, 0.4444442, 5.6e-7). Logits / 20 = (0.1, 0.05, -0.15);
    # e^x = (1.1051709, 1.0512711, 0.8607080), sum 3.0171500, log-sum
    # 1.1043127, so log q = (-1.0043127, -1.0543127, -1.2543127).
    # KL = sum p (log p - log q)
    #    = 0.5555552 * (-0.5877872 + 1.0043127)
    #    + 0.4444442 * (-0.8109308 + 1.0543127)
    #    + 5.6e-7 * (-14.4032978 + 1.2543127)
    #    = 0.2314029 + 0.1081697 - 0.0000073 = 0.3395653.
    # Image 1, argmax class 1: p = (0.75, 1, 1e-6) / 1.750001 =
    # (0.4285712, 0.5714282, 5.7e-7); logits / 20 = (-0.05, 0.2, 0.025),
    # q = (0.2974500, 0.3819334, 0.3206166); KL = 0.3867355 the same way.
    # Mean over the two images: (0.3395653 + 0.3867355) / 2 = 0.3631504.
    assert value.item() == pytest.approx(0.3631504, abs=1e-5)
    # At temperature 1 the same logits give another value: the temperature
    # is applied.
    plain = ClassSimilarityKLLoss(
        num_classes=3, betas=(1e10, ), temperature=1.0, seed=0)
    assert abs(
        plain(logits, classifier_weight=THREE_VECTORS).item() -
        0.3631504) > 0.1


def four_class_vectors(dim):
    """Rows e0, e0 + e1, -e0, e2 of length ``dim``."""
    vectors = torch.zeros(4, dim)
    vectors[0, 0] = vectors[1, 0] = vectors[1, 1] = vectors[3, 2] = 1.0
    vectors[2, 0] = -1.0
    return vectors


# By hand, for the rows of four_class_vectors (norms 1, sqrt 2, 1, 1):
# cosines [[1, r, -1, 0], [r, 1, -r, 0], [-1, -r, 1, 0], [0, 0, 0, 1]] with
# r = 1 / sqrt(2) = 0.7071068; min-max per row:
#   row 0: (c + 1) / 2 = (1, 0.8535534, 0, 0.5)
#   row 1: (c + r) / (1 + r) = (0.8284271, 1, 0, 0.4142136)
#   row 2: (c + 1) / 2 = (0, 0.1464466, 1, 0.5)
#   row 3: c = (0, 0, 0, 1)
# and 0 floored to 1e-6.
FOUR_SIMILARITY = torch.tensor([[1.0, 0.8535534, 1e-6, 0.5],
                                [0.8284271, 1.0, 1e-6, 0.4142136],
                                [1e-6, 0.1464466, 1.0, 0.5],
                                [1e-6, 1e-6, 1e-6, 1.0]])


def test_targets_concentrate_on_similar_classes():
    targets = ClassSimilarityTargets(num_classes=3, betas=(1.0, ))
    targets.fit(torch.tensor([[1.0, 0.0], [0.8, 0.6], [-1.0, 0.0]]))
    soft = targets.sample(torch.zeros(4000, dtype=torch.long), rng())
    assert soft.shape == (4000, 3)
    assert torch.allclose(soft.sum(1), torch.ones(4000))
    mean = soft.mean(0)
    # Mass on class 0, then its similar class 1, almost none on class 2.
    assert mean[0] > mean[1] > 10 * mean[2]
    # Same generator state, same draw.
    assert torch.equal(
        targets.sample(torch.zeros(5, dtype=torch.long), rng(3)),
        targets.sample(torch.zeros(5, dtype=torch.long), rng(3)))


def test_small_beta_gives_spikier_targets():
    targets = ClassSimilarityTargets(num_classes=10, betas=(1.0, 0.1))
    targets.fit(torch.randn(10, 6, generator=rng()))
    soft = targets.sample(torch.arange(1000) % 10, rng())
    peak = soft.max(1).values
    # The first half of the batch uses beta 1, the second beta 0.1.
    assert peak[500:].mean() > peak[:500].mean() + 0.1


def test_unfitted_targets_are_one_hot_and_bad_arguments_are_named():
    targets = ClassSimilarityTargets(num_classes=4)
    soft = targets.sample(torch.tensor([2, 3]), rng())
    assert torch.allclose(soft.argmax(1), torch.tensor([2, 3]))
    assert soft.max(1).values.min() > 0.99
    with pytest.raises(ValueError, match='num_classes must be'):
        ClassSimilarityTargets(num_classes=1)
    with pytest.raises(ValueError, match='betas must be positive'):
        ClassSimilarityTargets(num_classes=3, betas=(0.0, ))
    with pytest.raises(ValueError, match='3 class vectors for'):
        targets.fit(torch.ones(3, 2))


def test_class_vectors_from_logits_and_classifier_lookup():
    logits = torch.tensor([[2.0, 0.0], [4.0, 0.0], [0.0, 1.0]])
    vectors = class_vectors_from_logits(logits, torch.tensor([0, 0, 1]), 2)
    assert torch.equal(vectors, torch.tensor([[3.0, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r'no image of the classes \[2\]'):
        class_vectors_from_logits(logits, torch.tensor([0, 0, 1]), 3)
    model = ToyClassifier(in_channels=1, num_classes=3)
    assert find_classifier(model, None) is model.head.fc
    assert find_classifier(model, 'head.fc') is model.head.fc
    with pytest.raises(ValueError, match="'backbone.0' is not a linear"):
        find_classifier(model, 'backbone.0')


def test_random_shift_flip_rolls_each_image_and_passes_gradients():
    images = torch.arange(2 * 16, dtype=torch.float32).view(2, 1, 4, 4)
    images.requires_grad_(True)
    augment = RandomShiftFlip(max_shift=1, flip=True, seed=0)
    out = augment(images)
    assert out.shape == images.shape
    # A roll and a flip permute pixels: every image keeps its values.
    for i in range(2):
        assert torch.equal(out[i].flatten().sort().values,
                           images[i].detach().flatten().sort().values)
    out.sum().backward()
    assert torch.equal(images.grad, torch.ones_like(images))
    # The draw counter moves; a copy restored at the same count draws the
    # same (what a resumed run does).
    assert int(augment.draws) == 1
    replay = RandomShiftFlip(max_shift=1, flip=True, seed=5)
    replay.load_state_dict(augment.state_dict())
    assert replay.seed == 0
    assert torch.equal(replay(images.detach()), augment(images.detach()))
    assert torch.equal(
        RandomShiftFlip(max_shift=0, flip=False)(images), images)
    with pytest.raises(ValueError, match='max_shift must be'):
        RandomShiftFlip(max_shift=-1)


def test_random_shift_without_wrap_pads_with_zeros():
    images = torch.ones(64, 1, 5, 5)
    out = RandomShiftFlip(max_shift=2, wrap=False, flip=False, seed=1)(images)
    # Some images moved: zeros came in from the border, never more than a
    # 2-pixel band per axis.
    assert (out == 0).any()
    assert out.sum(dim=(1, 2, 3)).min() >= 9


class LinearTeacher(nn.Module):
    """A linear classifier of 1x6x6 images with the ``mode`` argument of
    MMEngine models."""

    def __init__(self, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.fc = nn.Linear(36, 4)

    def forward(self, images, mode='tensor'):
        return self.fc(images.flatten(1))


def synthesizer(**kwargs):
    cfg = dict(
        type='DataImpressionSynthesizer',
        targets=dict(type='ClassSimilarityTargets', num_classes=4),
        steps=40,
        lr=0.1,
        temperature=4.0,
        batch_size=16,
        pixel_normalization=dict(mean=[128.0], std=[64.0]))
    cfg.update(kwargs)
    from mmrazor_dfad.registry import MODELS
    return MODELS.build(cfg)


def test_data_impressions_move_the_teacher_toward_their_targets():
    teacher = LinearTeacher().eval().requires_grad_(False)
    # No augmentation: a linear teacher is not shift invariant.
    synth = synthesizer()
    # Fitted from the teacher's classifier rows (a teacher whose rows give
    # the similarity worked out by hand).
    rows = LinearTeacher().eval().requires_grad_(False)
    rows.fc.weight.copy_(four_class_vectors(36))
    synth.fit_similarity(rows, (1, 6, 6), torch.device('cpu'), rng())
    assert bool(synth.targets.fitted)
    torch.testing.assert_close(
        synth.targets.similarity, FOUR_SIMILARITY, rtol=0, atol=1e-6)
    # Orthogonal class vectors: every target is (nearly) one-hot.
    synth.targets.fit(torch.eye(4))
    images = synth.synthesize(teacher, 24, (1, 6, 6), torch.device('cpu'),
                              rng())
    assert images.shape == (24, 1, 6, 6) and not images.requires_grad
    # Pixels stay in [0, 255] once de-normalised.
    pixels = images * 64 + 128
    assert pixels.min() >= 0 and pixels.max() <= 255
    # Classes are balanced: image i of a batch is class (offset + i) mod 4,
    # and the teacher now predicts them.
    predicted = teacher(images).argmax(1)
    for batch in (predicted[:16], predicted[16:]):
        offset = batch[0]
        expected = (torch.arange(len(batch)) + offset) % 4
        assert (batch == expected).float().mean() >= 0.9


def test_data_impressions_without_a_linear_head_fit_from_logits():

    class Nonlinear(LinearTeacher):

        def forward(self, images, mode='tensor'):
            return torch.tanh(self.fc(images.flatten(1))) * 5

    teacher = Nonlinear().eval().requires_grad_(False)
    synth = synthesizer(similarity_from='logits')
    synth.synthesize(teacher, 8, (1, 6, 6), torch.device('cpu'), rng())
    assert bool(synth.targets.fitted)
    assert torch.allclose(synth.targets.similarity.diagonal(), torch.ones(4))
    with pytest.raises(ValueError, match='similarity_from must be'):
        synthesizer(similarity_from='weights')


def mean_jensen_shannon(student, teacher, images):
    """Mean per-image JS divergence of the two networks' outputs, computed
    here (not with the synthesizer's helper)."""
    with torch.no_grad():
        p = torch.softmax(student(images), dim=1)
        q = torch.softmax(teacher(images), dim=1)
    m = (p + q) / 2
    return float(
        ((p * (p / m).log()).sum(1) + (q * (q / m).log()).sum(1)).mean() / 2)


def test_competition_term_moves_images_toward_student_disagreement():
    teacher = LinearTeacher(0).eval().requires_grad_(False)
    student = LinearTeacher(1).train()
    student_calls = []
    student.register_forward_hook(lambda *args: student_calls.append(1))
    divergences = {}
    for weight in (0.0, 5.0):
        synth = synthesizer(competition_weight=weight, steps=40)
        synth.targets.fit(torch.eye(4))
        images = synth.synthesize(
            teacher,
            16, (1, 6, 6),
            torch.device('cpu'),
            rng(),
            student=student)
        divergences[weight] = mean_jensen_shannon(student, teacher, images)
    # The student is run at every step of the competing synthesis only (40
    # steps), plus once per weight by mean_jensen_shannon.
    assert len(student_calls) == 40 + 2
    assert student.training
    # The term rewards images the two networks disagree on: the same
    # synthesis, with it, ends on images of clearly larger divergence.
    assert divergences[5.0] > divergences[0.0] + 0.1, divergences


def test_synthesis_leaves_the_students_gradients_untouched():
    # An open gradient-accumulation window of the student: gradients that
    # the student's next optimizer step must still see.
    teacher = LinearTeacher(0).eval().requires_grad_(False)
    student = LinearTeacher(1).train()
    student.fc.weight.grad = torch.full_like(student.fc.weight, 0.25)
    before = student.fc.weight.grad.clone()
    synth = synthesizer(competition_weight=1.0, steps=3)
    synth.synthesize(
        teacher, 4, (1, 6, 6), torch.device('cpu'), rng(), student=student)
    assert torch.equal(student.fc.weight.grad, before)
    # A parameter without a gradient gets none.
    assert student.fc.bias.grad is None
    assert all(p.grad is None for p in teacher.parameters())
    assert student.training


def test_class_similarity_kl_prior_fits_from_the_classifier_and_trains():
    weight = four_class_vectors(8)
    loss = ClassSimilarityKLLoss(num_classes=4, temperature=2.0, seed=0)
    logits = torch.randn(32, 4, generator=rng(1), requires_grad=True)
    value = loss(logits, classifier_weight=weight)
    torch.testing.assert_close(
        loss.targets.similarity, FOUR_SIMILARITY, rtol=0, atol=1e-6)
    assert value > 0
    value.backward()
    assert logits.grad.abs().sum() > 0
    # Minimising it moves the teacher's output toward the targets (large
    # beta: targets near their mean, so the minimum is near 0).
    logits = torch.randn(64, 4, generator=rng(2), requires_grad=True)
    # The loss is a mean over 64 images: a step of 64 per image.
    optimizer = torch.optim.SGD([logits], lr=64.0)
    prior = ClassSimilarityKLLoss(
        num_classes=4, betas=(1000.0, ), temperature=1.0, seed=0)
    values = []
    for _ in range(30):
        value = prior(logits, classifier_weight=weight)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        values.append(value.item())
    assert values[-1] < values[0] / 4
    # Balanced classes: image i of a batch gets class (offset + i) mod K.
    balanced = ClassSimilarityKLLoss(
        num_classes=4, betas=(1000.0, ), target_classes='balanced', seed=0)
    argmax = ClassSimilarityKLLoss(num_classes=4, betas=(1000.0, ), seed=0)
    for loss in (balanced, argmax):
        loss.targets.fit(torch.eye(4))
    one_class = torch.tensor([[50.0, 0.0, 0.0, 0.0]]).repeat(8, 1)
    # Argmax targets agree with a batch of one class, balanced ones not.
    assert balanced(one_class) > 5 * argmax(one_class)
    with pytest.raises(ValueError, match='target_classes must be'):
        ClassSimilarityKLLoss(num_classes=4, target_classes='random')
    with pytest.raises(ValueError, match='has 3 rows'):
        ClassSimilarityKLLoss(num_classes=4)(
            torch.randn(2, 4), classifier_weight=torch.randn(3, 8))


def test_pool_persistent_region_is_never_displaced():
    pool = SyntheticImagePool(
        capacity=4,
        image_shape=(1, 2, 2),
        replay_fraction=1.0,
        fill_from='generator',
        persistent_capacity=3,
        persistent_fraction=0.5,
        dtype='float32',
        seed=0)
    pool.add(torch.full((3, 1, 2, 2), 7.0), persistent=True)
    for value in range(5):
        pool.add(torch.full((4, 1, 2, 2), float(value)))
    assert len(pool) == 7 and pool.persistent_count == 3
    drawn = pool.sample(100)
    # Half of every draw from the bank, half from the generator's last 4.
    assert (drawn == 7).all(dim=(1, 2, 3)).sum() == 50
    assert (drawn == 4).all(dim=(1, 2, 3)).sum() == 50
    state = pool.state_dict()
    assert {'persistent_images', 'persistent_size'} <= set(state)
    copy_pool = SyntheticImagePool(
        capacity=4,
        image_shape=(1, 2, 2),
        replay_fraction=1.0,
        fill_from='generator',
        persistent_capacity=3,
        persistent_fraction=0.5,
        dtype='float32')
    copy_pool.load_state_dict(state)
    assert torch.equal(copy_pool.sample(10), pool.sample(10))
    plain = SyntheticImagePool(capacity=4, image_shape=(1, 2, 2))
    assert 'persistent_images' not in plain.state_dict()
    with pytest.raises(ValueError, match='needs a persistent region'):
        plain.add(torch.zeros(1, 1, 2, 2), persistent=True)
    with pytest.raises(ValueError, match='needs persistent_capacity'):
        SyntheticImagePool(
            capacity=4, image_shape=(1, 2, 2), persistent_fraction=0.5)


def test_pool_cutmix_pastes_a_box_of_another_image():
    pool = SyntheticImagePool(
        capacity=2,
        image_shape=(1, 8, 8),
        replay_fraction=1.0,
        fill_from='generator',
        cutmix_alpha=1.0,
        dtype='float32',
        seed=0)
    pool.add(torch.stack([torch.zeros(1, 8, 8), torch.ones(1, 8, 8)]))
    drawn = pool.sample(200)
    share = drawn.mean(dim=(1, 2, 3))
    # Pure images and mixtures whose ones form one box.
    assert ((share > 0) & (share < 1)).sum() > 50
    mixed = drawn[(share > 0) & (share < 1)][0, 0]
    rows = mixed.max(1).values != mixed.min(1).values
    assert rows.any()
    with pytest.raises(ValueError, match='exclusive'):
        SyntheticImagePool(
            capacity=2,
            image_shape=(1, 8, 8),
            mixup_alpha=1.0,
            cutmix_alpha=1.0)


def test_generator_update_sees_augmented_images_the_pool_keeps_plain_ones(
        toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['generator_augmentation'] = dict(
        type='RandomShiftFlip', max_shift=2, seed=0)
    cfg['pool'] = dict(
        type='SyntheticImagePool',
        capacity=64,
        replay_fraction=1.0,
        fill_from='generator',
        dtype='float32')
    algorithm = build(cfg).train()
    seen = []
    algorithm.teachers['tea'].register_forward_pre_hook(
        lambda module, args: seen.append(args[0].detach().clone()))
    stored = []
    original_add = algorithm.pool.add
    algorithm.pool.add = lambda images, **kw: (stored.append(images.detach(
    ).clone()), original_add(images, **kw))
    algorithm.student_train_first = False
    algorithm.train_step(data_free_batch(8), build_optim(algorithm))
    assert int(algorithm.generator_augmentation.draws) == 1
    # The generator update's teacher input is the stored batch, rolled and
    # flipped, not the batch itself.
    assert seen[0].shape == stored[0].shape
    assert not torch.equal(seen[0], stored[0])
    # Rolls and flips permute each image's pixels.
    assert torch.equal(seen[0].flatten(1).sort(1).values,
                       stored[0].flatten(1).sort(1).values)


def impression_hook(**kwargs):
    from mmrazor_dfad.engine.hooks import DataImpressionHook
    cfg = dict(
        synthesizer=dict(
            type='DataImpressionSynthesizer',
            targets=dict(type='ClassSimilarityTargets', num_classes=10),
            steps=2,
            batch_size=8),
        seed=0)
    cfg.update(kwargs)
    return DataImpressionHook(**cfg)


def stand_in_runner(algorithm, iteration=0):
    from types import SimpleNamespace

    from mmengine.logging import MessageHub, MMLogger
    return SimpleNamespace(
        model=algorithm,
        seed=0,
        iter=iteration,
        message_hub=MessageHub.get_instance('test_synthesis'),
        logger=MMLogger.get_instance('test_synthesis'))


def test_impression_hook_fills_the_bank_once_and_adds_during_training(
        toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['pool'] = dict(
        type='SyntheticImagePool',
        capacity=32,
        replay_fraction=1.0,
        fill_from='generator',
        persistent_capacity=12)
    algorithm = build(cfg)
    hook = impression_hook(bank_size=12, interval=2, images_per_interval=4)
    runner = stand_in_runner(algorithm)
    hook.before_train(runner)
    assert algorithm.pool.persistent_count == 12 and len(algorithm.pool) == 12
    bank = algorithm.pool.persistent_images.clone()
    # A resumed run (the pool restored from a checkpoint) makes no second
    # bank.
    hook.before_train(stand_in_runner(algorithm, iteration=4))
    assert torch.equal(algorithm.pool.persistent_images, bank)
    hook.after_train_iter(stand_in_runner(algorithm, iteration=0), 0)
    assert int(algorithm.pool.size) == 0  # iteration 1: not a multiple of 2
    hook.after_train_iter(stand_in_runner(algorithm, iteration=1), 1)
    assert int(algorithm.pool.size) == 4
    assert runner.message_hub.get_scalar(
        'train/synthesis/images').current() == 16
    # Another hook with the same seed makes the same bank.
    again = build(cfg)
    impression_hook(bank_size=12).before_train(stand_in_runner(again))
    assert torch.equal(again.pool.persistent_images, bank)


def test_impression_hook_saves_the_class_similarity_and_resumes_exactly(
        toy_algorithm_cfg, tmp_path):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['pool'] = dict(
        type='SyntheticImagePool',
        capacity=32,
        replay_fraction=1.0,
        fill_from='generator')
    # Fitted from the teacher's logits on images of the first synthesis:
    # a resumed run that refitted would fit it from other images.
    synthesizer_cfg = dict(
        type='DataImpressionSynthesizer',
        targets=dict(type='ClassSimilarityTargets', num_classes=10),
        similarity_from='logits',
        steps=2,
        batch_size=10)  # one image of each class to fit from

    def run(algorithm, hook, iteration):
        added = []
        original_add = algorithm.pool.add
        algorithm.pool.add = lambda images, **kw: (added.append(images.clone(
        )), original_add(images, **kw))
        hook.after_train_iter(
            stand_in_runner(algorithm, iteration=iteration), iteration)
        algorithm.pool.add = original_add
        return added[0]

    def new_hook():
        return impression_hook(
            synthesizer=synthesizer_cfg, interval=2, images_per_interval=4)

    algorithm, hook = build(cfg), new_hook()
    run(algorithm, hook, 1)  # synthesis of iteration 2 fits the similarity
    checkpoint = dict(meta=dict(iter=2))
    hook.before_save_checkpoint(stand_in_runner(algorithm, 2), checkpoint)
    torch.save(checkpoint, tmp_path / 'iter_2.pth')
    similarity = hook.synthesizer.targets.similarity.clone()
    uninterrupted = run(algorithm, hook, 3)  # synthesis of iteration 4

    resumed_algorithm, resumed_hook = build(cfg), new_hook()
    resumed_hook.after_load_checkpoint(
        stand_in_runner(resumed_algorithm, 2),
        torch.load(tmp_path / 'iter_2.pth'))
    resumed = run(resumed_algorithm, resumed_hook, 3)
    assert torch.equal(resumed_hook.synthesizer.targets.similarity, similarity)
    assert torch.equal(resumed, uninterrupted)
    # A checkpoint of a run that had not synthesised yet holds nothing.
    empty = {}
    new_hook().before_save_checkpoint(stand_in_runner(algorithm), empty)
    assert empty == {}


def test_impression_hook_names_what_is_missing(toy_algorithm_cfg):
    algorithm = build(toy_algorithm_cfg)
    with pytest.raises(ValueError, match='model.pool is not set'):
        impression_hook(bank_size=4).before_train(stand_in_runner(algorithm))
    with pytest.raises(ValueError, match='makes nothing'):
        impression_hook()
    with pytest.raises(ValueError, match='go together'):
        impression_hook(interval=5)
    with pytest.raises(TypeError, match='config dict with a type'):
        impression_hook(bank_size=4, synthesizer=dict(steps=3))


def test_data_impressions_start_at_the_data_mean_intensity():
    teacher = LinearTeacher().eval().requires_grad_(False)
    # One tiny step: the images are still (almost) their starting point.
    synth = synthesizer(steps=1, lr=1e-6, init_std=0.0)
    images = synth.synthesize(teacher, 4, (1, 6, 6), torch.device('cpu'),
                              rng())
    pixels = images * 64 + 128
    # The preprocessor's mean, not mid-gray (sigmoid(0) = 127.5).
    assert torch.allclose(pixels, torch.full_like(pixels, 128.0), atol=0.1)
    dark = synthesizer(
        steps=1,
        lr=1e-6,
        init_std=0.0,
        pixel_normalization=dict(mean=[30.0], std=[64.0]))
    pixels = dark.synthesize(teacher, 4,
                             (1, 6, 6), torch.device('cpu'), rng()) * 64 + 30
    assert torch.allclose(pixels, torch.full_like(pixels, 30.0), atol=0.1)
