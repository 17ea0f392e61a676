# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""``DataFreeDistillation.train_step`` against an outside reference, and a
fixed-seed golden run of it on CPU.

The reference is DFAD's training loop (Fang et al., arXiv 1912.11006)
written here in plain PyTorch: ``student_iter`` student updates, each an L1
distance of student and teacher logits on detached fake images, then one
generator update maximising the same distance. It shares nothing with the
package but the networks: given the same initial weights, optimizers and
latent vectors, our ``train_step`` must leave the same weights and BatchNorm
statistics.

The golden run pins our own output: any change to what an iteration computes
(order of updates, losses, optimizer plumbing) moves its numbers. Both feed
the generator the same explicit latent vectors, so neither depends on how the
generator draws its noise. When a change is meant to move the golden numbers,
regenerate them with::

    MMRAZOR_DFAD_PRINT_GOLDEN=1 OMP_NUM_THREADS=1 \\
        python -m pytest -q -s tests/test_golden_train_step.py

and paste the printed ``GOLDEN_*`` lines below, saying in the commit why
they moved.
"""
import copy
import os
from typing import List

import pytest
import torch
import torch.nn.functional as F

from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

# Per iteration: (distill.loss, generator.loss).
GOLDEN_LOSSES = [(0.407928466796875, -0.3713774085044861),
                 (0.3366812765598297, -0.24150077998638153),
                 (0.21060669422149658, -0.15290209650993347)]
# Sums of the student's and the generator's weights (float64) after the run.
GOLDEN_CHECKSUMS = (-1.0395590918560629, 20.612320772983367)
# float32 on one CPU thread with deterministic algorithms repeats bit for
# bit on one machine; the tolerance absorbs other CPUs' vector units and
# summation orders, far below what a changed computation moves.
RTOL, ATOL = 1e-4, 1e-6
ITERATIONS, BATCH_SIZE = 3, 4
# DFAD's optimizers: SGD with momentum and weight decay for the student,
# Adam for the generator.
STUDENT_SGD = dict(lr=0.1, momentum=0.9, weight_decay=5e-4)
GENERATOR_ADAM = dict(lr=1e-3)


@pytest.fixture
def deterministic_cpu():
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    yield
    torch.use_deterministic_algorithms(deterministic)
    torch.set_num_threads(threads)


def weight_sum(module: torch.nn.Module) -> float:
    return float(sum(p.detach().double().sum() for p in module.parameters()))


def latent_batches(count: int, latent_dim: int) -> List[torch.Tensor]:
    """``count`` batches of latent vectors from a private seeded stream."""
    stream = torch.Generator().manual_seed(2024)
    return [
        torch.randn(BATCH_SIZE, latent_dim, generator=stream)
        for _ in range(count)
    ]


def feed_latents(generator: torch.nn.Module,
                 latents: List[torch.Tensor]) -> List[torch.Tensor]:
    """Make ``generator`` draw ``latents`` in order instead of its noise.

    Returns:
        list: The latents not drawn yet (empty once all were used).
    """
    queue = list(latents)

    def sample_latent(batch_size):
        assert queue, 'the generator drew more batches than expected'
        latent = queue.pop(0)
        assert batch_size == len(latent)
        return latent.clone()

    generator.sample_latent = sample_latent
    return queue


def build_ours(cfg, student_iter):
    torch.manual_seed(0)
    algorithm = MODELS.build(
        dict(
            copy.deepcopy(cfg),
            student_iter=student_iter,
            student_train_first=True)).train()
    optim_wrapper = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=dict(optimizer=dict(type='SGD', **STUDENT_SGD)),
                generator=dict(
                    optimizer=dict(type='Adam', **GENERATOR_ADAM)))))(
                        algorithm)
    return algorithm, optim_wrapper


def copy_of(module: torch.nn.Module, cfg: dict) -> torch.nn.Module:
    """A new network from ``cfg`` with ``module``'s weights and buffers."""
    twin = MODELS.build(copy.deepcopy(cfg))
    state = {
        key: value
        for key, value in module.state_dict().items()
        if not key.endswith('_extra_state')
    }
    twin.load_state_dict(state, strict=False)
    return twin


def reference_dfad(student, teacher, generator, latents, iterations,
                   student_iter):
    """DFAD's loop in plain PyTorch; returns its losses per iteration (mean
    student loss, generator loss)."""
    student.train()
    generator.train()
    teacher.eval().requires_grad_(False)
    student_optimizer = torch.optim.SGD(student.parameters(), **STUDENT_SGD)
    generator_optimizer = torch.optim.Adam(generator.parameters(),
                                           **GENERATOR_ADAM)
    latents = iter(latents)
    losses = []
    for _ in range(iterations):
        student_losses = []
        for _ in range(student_iter):
            with torch.no_grad():
                fake = generator(next(latents))
                teacher_logits = teacher(fake)
            student_optimizer.zero_grad()
            loss = F.l1_loss(student(fake), teacher_logits)
            loss.backward()
            student_optimizer.step()
            student_losses.append(loss.item())
        generator_optimizer.zero_grad()
        fake = generator(next(latents))
        loss = -F.l1_loss(student(fake), teacher(fake))
        loss.backward()
        generator_optimizer.step()
        losses.append((sum(student_losses) / student_iter, loss.item()))
    return losses


def test_train_step_equals_a_plain_pytorch_dfad_loop(toy_algorithm_cfg,
                                                     deterministic_cpu):
    iterations, student_iter = 2, 5
    algorithm, optim_wrapper = build_ours(toy_algorithm_cfg, student_iter)
    cfg = toy_algorithm_cfg
    student = copy_of(algorithm.student, cfg['architecture'])
    teacher = copy_of(algorithm.teachers['tea'],
                      cfg['teachers']['tea']['build_cfg'])
    generator = copy_of(algorithm.generator, cfg['generator'])
    latents = latent_batches(iterations * (student_iter + 1),
                             algorithm.generator.latent_dim)

    expected_losses = reference_dfad(student, teacher, generator, latents,
                                     iterations, student_iter)
    left = feed_latents(algorithm.generator, latents)
    losses = []
    for _ in range(iterations):
        log_vars = algorithm.train_step(
            dict(sample_idx=list(range(BATCH_SIZE))), optim_wrapper)
        losses.append((float(log_vars['distill.loss']),
                       float(log_vars['generator.loss'])))
    assert not left, 'the generator drew fewer batches than DFAD does'

    torch.testing.assert_close(
        torch.tensor(losses, dtype=torch.float64),
        torch.tensor(expected_losses, dtype=torch.float64),
        rtol=1e-5,
        atol=1e-6)
    # Weights and BatchNorm running statistics of both players.
    for ours, reference in ((algorithm.student, student), (algorithm.generator,
                                                           generator)):
        expected = reference.state_dict()
        for key, value in ours.state_dict().items():
            if key.endswith('_extra_state'):
                continue
            torch.testing.assert_close(
                value, expected[key], rtol=1e-5, atol=1e-6, msg=key)
    # The teacher is untouched.
    for key, value in algorithm.teachers['tea'].state_dict().items():
        assert torch.equal(value, teacher.state_dict()[key]), key


def test_train_step_matches_the_recorded_run(toy_algorithm_cfg,
                                             deterministic_cpu):
    algorithm, optim_wrapper = build_ours(toy_algorithm_cfg, student_iter=3)
    left = feed_latents(
        algorithm.generator,
        latent_batches(ITERATIONS * 4, algorithm.generator.latent_dim))
    losses = []
    for _ in range(ITERATIONS):
        log_vars = algorithm.train_step(
            dict(sample_idx=list(range(BATCH_SIZE))), optim_wrapper)
        losses.append((float(log_vars['distill.loss']),
                       float(log_vars['generator.loss'])))
    assert not left
    checksums = (weight_sum(algorithm.student),
                 weight_sum(algorithm.generator))

    if os.environ.get('MMRAZOR_DFAD_PRINT_GOLDEN'):
        print(f'\nGOLDEN_LOSSES = {losses!r}')
        print(f'GOLDEN_CHECKSUMS = {checksums!r}')
    torch.testing.assert_close(
        torch.tensor(losses, dtype=torch.float64),
        torch.tensor(GOLDEN_LOSSES, dtype=torch.float64),
        rtol=RTOL,
        atol=ATOL)
    torch.testing.assert_close(
        torch.tensor(checksums, dtype=torch.float64),
        torch.tensor(GOLDEN_CHECKSUMS, dtype=torch.float64),
        rtol=RTOL,
        atol=ATOL)
