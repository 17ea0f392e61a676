# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A fixed-seed golden run of ``DataFreeDistillation.train_step`` on CPU.

Any change to what an iteration computes (noise, order of updates, losses,
optimizer plumbing) moves these numbers. When a change is meant to do so,
regenerate the constants with::

    MMRAZOR_DFAD_PRINT_GOLDEN=1 OMP_NUM_THREADS=1 \\
        python -m pytest -q -s tests/test_golden_train_step.py

and paste the printed ``GOLDEN_*`` lines below, saying in the commit why
they moved.
"""
import copy
import os

import pytest
import torch

from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

# Per iteration: (distill.loss, generator.loss).
GOLDEN_LOSSES = [(0.42300763726234436, -0.3539005219936371),
                 (0.3195445239543915, -0.25161778926849365),
                 (0.21981720626354218, -0.14727039635181427)]
# Sums of the student's and the generator's weights (float64) after the run.
GOLDEN_CHECKSUMS = (-0.8669504370773211, 20.682679962177644)
# float32 on one CPU thread with deterministic algorithms repeats bit for
# bit on one machine; the tolerance absorbs other CPUs' vector units and
# summation orders, far below what a changed computation moves.
RTOL, ATOL = 1e-4, 1e-6
ITERATIONS, BATCH_SIZE = 3, 4


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


def test_train_step_matches_the_recorded_run(toy_algorithm_cfg,
                                             deterministic_cpu):
    torch.manual_seed(0)
    algorithm = MODELS.build(copy.deepcopy(toy_algorithm_cfg)).train()
    optim_wrapper = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=dict(
                    optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
                generator=dict(optimizer=dict(type='AdamW', lr=1e-3)))))(
                    algorithm)
    losses = []
    for _ in range(ITERATIONS):
        log_vars = algorithm.train_step(
            dict(sample_idx=list(range(BATCH_SIZE))), optim_wrapper)
        losses.append((float(log_vars['distill.loss']),
                       float(log_vars['generator.loss'])))
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
