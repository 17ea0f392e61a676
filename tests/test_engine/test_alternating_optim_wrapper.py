# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the alternating wrapper promises of each side's optimizer wrapper:
its own gradient clipping, mixed precision and gradient accumulation."""
import copy
from contextlib import contextmanager

import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from mmrazor_dfad.engine import AlternatingOptimWrapper, PlayerOptimWrapper
from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmrazor_dfad.testing import FunctionAlgorithm


def build_algorithm_and_optim(algorithm_cfg, architecture, generator):
    torch.manual_seed(0)
    algorithm = MODELS.build(copy.deepcopy(algorithm_cfg)).train()
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='AlternatingOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                architecture=architecture, generator=generator)))
    return algorithm, constructor(algorithm)


def grad_norms_before_steps(optim_wrapper, module):
    """Record the L2 norm of ``module``'s gradients when its optimizer
    steps (after clipping)."""
    norms = []

    def record(*args):
        grads = [p.grad for p in module.parameters() if p.grad is not None]
        norms.append(torch.norm(torch.stack([g.norm() for g in grads])))

    optim_wrapper.optimizer.register_step_pre_hook(record)
    return norms


@pytest.mark.parametrize('clipped', ['architecture', 'generator'])
def test_gradient_clipping_applies_to_its_side_only(toy_algorithm_cfg,
                                                    clipped):
    max_norm = 1e-4
    sides = {
        key: dict(optimizer=dict(type='SGD', lr=0.01))
        for key in ('architecture', 'generator')
    }
    sides[clipped]['clip_grad'] = dict(max_norm=max_norm)
    algorithm, optim = build_algorithm_and_optim(toy_algorithm_cfg, **sides)
    student_norms = grad_norms_before_steps(optim.student, algorithm.student)
    generator_norms = grad_norms_before_steps(optim.generator,
                                              algorithm.generator)

    algorithm.train_step(dict(sample_idx=list(range(4))), optim)

    clipped_norms, free_norms = (student_norms, generator_norms) \
        if clipped == 'architecture' else (generator_norms, student_norms)
    assert len(student_norms) == 3 and len(generator_norms) == 1
    assert all(norm <= max_norm * 1.01 for norm in clipped_norms)
    assert all(norm > 100 * max_norm for norm in free_norms)


class CPUAutocastOptimWrapper(OptimWrapper):
    """An optimizer wrapper whose context runs bfloat16 autocast on the CPU
    (MMEngine's ``AmpOptimWrapper`` is GPU-only)."""

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=torch.bfloat16):
            yield


def train_one_iteration(student_wrapper, generator_wrapper, student, generator,
                        device):
    """One alternation; returns each side's output dtype."""
    schedule = AlternatingOptimWrapper(
        architecture=student_wrapper, generator=generator_wrapper)
    output_dtypes = {}

    def step(name, module):
        output = module(torch.randn(3, 4, device=device))
        output_dtypes[name] = output.dtype
        loss = output.float().pow(2).mean()
        return loss, dict(loss=loss)

    schedule.alternate(
        FunctionAlgorithm(student, generator, lambda: step('student', student),
                          lambda: step('generator', generator)),
        data=None)
    return output_dtypes


def test_each_side_runs_under_its_own_optim_context():
    # What runs on the CPU: the wrapper enters the student's optimizer
    # context for the student's updates and the generator's for the
    # generator's, here one with bfloat16 autocast and one without.
    student, generator = nn.Linear(4, 2), nn.Linear(4, 2)
    student_before = student.weight.detach().clone()
    output_dtypes = train_one_iteration(
        CPUAutocastOptimWrapper(torch.optim.SGD(student.parameters(), lr=0.1)),
        OptimWrapper(torch.optim.SGD(generator.parameters(), lr=0.1)), student,
        generator, 'cpu')
    assert output_dtypes == dict(
        student=torch.bfloat16, generator=torch.float32)
    assert student.weight.dtype == torch.float32
    assert not torch.equal(student.weight, student_before)


@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason='AmpOptimWrapper mixed precision needs a CUDA device '
    '(MMEngine refuses it on the CPU)')
@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
def test_mixed_precision_applies_to_its_side_only_on_gpu(dtype):
    from mmengine.optim import AmpOptimWrapper
    student = nn.Linear(4, 2).cuda()
    generator = nn.Linear(4, 2).cuda()
    student_before = student.weight.detach().clone()
    student_wrapper = AmpOptimWrapper(
        dtype=dtype, optimizer=torch.optim.SGD(student.parameters(), lr=0.1))
    output_dtypes = train_one_iteration(
        student_wrapper,
        OptimWrapper(torch.optim.SGD(generator.parameters(), lr=0.1)), student,
        generator, 'cuda')
    assert output_dtypes == dict(
        student=getattr(torch, dtype), generator=torch.float32)
    # Master weights stay float32 and the (loss-scaled) update applied.
    assert student.weight.dtype == torch.float32
    assert not torch.equal(student.weight, student_before)


class Players(nn.Module):
    """A student and a generator of one weight each."""

    def __init__(self, student_iter: int) -> None:
        super().__init__()
        self.student_iter = student_iter
        self.student = nn.Linear(2, 1, bias=False)
        self.generator = nn.Linear(2, 1, bias=False)
        nn.init.ones_(self.student.weight)
        nn.init.ones_(self.generator.weight)


def accumulating_schedule(players,
                          student_counts,
                          generator_counts=1,
                          **kwargs):
    schedule = AlternatingOptimWrapper(
        architecture=OptimWrapper(
            torch.optim.SGD(players.student.parameters(), lr=0.1),
            accumulative_counts=student_counts),
        generator=OptimWrapper(
            torch.optim.SGD(players.generator.parameters(), lr=0.1),
            accumulative_counts=generator_counts),
        **kwargs)
    steps = dict(student=[], generator=[])
    updates = dict(student=0, generator=0)
    for name in ('student', 'generator'):
        getattr(schedule, name).optimizer.register_step_post_hook(
            lambda *args, name=name: steps[name].append(updates[name]))
    return schedule, steps, updates


def run_iteration(schedule, players, updates, student_loss_scales=None):
    """One alternate() call; the losses are ``scale * weight.sum()``, so
    every update's gradient is ``scale`` per weight before averaging."""
    scales = iter(student_loss_scales or [1.0] * players.student_iter)

    def student_step():
        updates['student'] += 1
        loss = next(scales) * players.student.weight.sum()
        return loss, dict(loss=loss)

    def generator_step():
        updates['generator'] += 1
        loss = players.generator(torch.ones(1, 2)).sum()
        return loss, dict(loss=loss)

    schedule.alternate(
        FunctionAlgorithm(
            players.student,
            players.generator,
            student_step,
            generator_step,
            student_iter=players.student_iter),
        data=None)


def test_accumulation_counts_student_updates_and_applies_the_last_window():
    # student_iter=3, accumulative_counts=2, 1 iteration: 3 student
    # updates. The runner's initialize_count_status makes the third update
    # (the run's last, an incomplete window) step too, with its gradient
    # not halved.
    players = Players(student_iter=3)
    schedule, steps, updates = accumulating_schedule(players, 2, 1)
    schedule.initialize_count_status(players, 0, 1)
    run_iteration(schedule, players, updates)
    assert steps == dict(student=[2, 3], generator=[1])
    # Two steps of lr 0.1 with gradient 1 (two halves, then one whole).
    torch.testing.assert_close(players.student.weight, torch.full((1, 2), 0.8))
    assert players.student.weight.grad is None  # nothing left over


def test_accumulation_windows_span_iterations_and_survive_resume():
    players = Players(student_iter=3)
    schedule, steps, updates = accumulating_schedule(players, 2, 2)
    schedule.initialize_count_status(players, 0, 4)
    for _ in range(2):
        run_iteration(schedule, players, updates)
    assert steps == dict(student=[2, 4, 6], generator=[2])

    # A resumed run (fresh wrappers) continues the same windows.
    resumed = Players(student_iter=3)
    schedule, steps, updates = accumulating_schedule(resumed, 2, 2)
    schedule.initialize_count_status(resumed, 2, 4)
    run_iteration(schedule, resumed, updates)
    # Placed at iteration 2 (6 student updates) by the first iteration.
    assert (schedule.student.inner_count,
            schedule.generator.inner_count) == (6 + 3, 2 + 1)
    run_iteration(schedule, resumed, updates)
    # Updates 7..12 of the run: steps after the 8th, 10th and 12th.
    assert steps == dict(student=[2, 4, 6], generator=[2])


def test_skipped_updates_count_and_drop_their_window():
    # The guard skips the exploding second update; it still closes the
    # first window, whose gradient is dropped instead of being added to the
    # next window.
    players = Players(student_iter=4)
    schedule, steps, updates = accumulating_schedule(
        players,
        2,
        1,
        divergence_guard=dict(
            action='skip', warmup=1, window=5, loss_factor=10))
    schedule.initialize_count_status(players, 0, 1)
    run_iteration(
        schedule,
        players,
        updates,
        student_loss_scales=[1.0, 1000.0, 1.0, 1.0])
    assert steps['student'] == [4]
    torch.testing.assert_close(players.student.weight, torch.full((1, 2), 0.9))
    assert players.student.weight.grad is None


def test_skipped_zero_lr_generator_updates_keep_the_count():
    players = Players(student_iter=1)
    schedule, steps, updates = accumulating_schedule(players, 1, 2)
    schedule.initialize_count_status(players, 0, 4)
    for group in schedule.generator.optimizer.param_groups:
        group['lr'] = 0.0
    skipped = []
    schedule.alternate(
        FunctionAlgorithm(
            players.student,
            players.generator,
            lambda: (players.student.weight.sum(), {}),
            lambda: pytest.fail('the update should be skipped'),
            advance_generator=lambda: skipped.append(True)),
        data=None)
    assert schedule.generator.inner_count == 1
    assert skipped == [True]
    assert players.generator.weight.grad is None


def test_sides_become_player_wrappers_in_place(monkeypatch):
    # What the constructor (MMEngine's per side) or a caller builds stays
    # the same object with the same class behaviour and checkpoint keys,
    # and gains the player's guard and skip switch.
    from mmengine.optim import AmpOptimWrapper
    from mmengine.optim.optimizer import amp_optimizer_wrapper
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)  # only its constructor asks
    student, generator = nn.Linear(2, 1), nn.Linear(2, 1)
    with pytest.warns(UserWarning):  # the loss scaler is off without CUDA
        amp = AmpOptimWrapper(
            optimizer=torch.optim.SGD(student.parameters(), lr=0.1))
    plain = OptimWrapper(torch.optim.SGD(generator.parameters(), lr=0.1))
    keys = {
        'student': set(amp.state_dict()),
        'generator': set(plain.state_dict())
    }
    schedule = AlternatingOptimWrapper(
        architecture=amp, generator=plain, divergence_guard=None)
    assert schedule.student is amp and schedule.generator is plain
    assert isinstance(amp, AmpOptimWrapper)
    assert isinstance(amp, PlayerOptimWrapper)
    assert type(plain) is PlayerOptimWrapper
    assert 'loss_scaler' in keys['student']
    assert set(amp.state_dict()) == keys['student']
    assert set(plain.state_dict()) == keys['generator']
    assert set(schedule.state_dict()) == {'architecture', 'generator'}
    assert (amp.player, plain.player) == ('student', 'generator')
    assert not amp.skip_at_zero_lr and plain.skip_at_zero_lr
    # The guard runs first, then AmpOptimWrapper's backward (loss scaler).
    scaled = []
    scale = amp.loss_scaler.scale
    amp.loss_scaler.scale = lambda loss: scaled.append(loss) or scale(loss)
    before = student.weight.detach().clone()
    amp.update_params(student(torch.ones(1, 2)).sum())
    assert len(scaled) == 1 and not torch.equal(student.weight, before)
    with pytest.raises(FloatingPointError, match='student loss is nan'):
        amp.update_params(torch.tensor(float('nan'), requires_grad=True))
    assert len(scaled) == 1
