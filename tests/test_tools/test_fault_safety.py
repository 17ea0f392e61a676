# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Faults a user meets: kills at every phase of a checkpoint save and
between saves, a full disk, a second training in the same work dir,
checkpoints of another model, an untrained teacher, a diverging run, a hung
rank. Each test asserts what survives and what the user is told.

A training that is killed runs in a fresh process (conftest.py's
``killed_runs``, all at once); the resume that follows, and the faults that
leave the process alive, run ``tools/train.py``'s code in this one. Every
kill ends, after its resume, with the student of one shared uninterrupted
run, bit for bit: the first part of each run was computed in another
process, so runs are also deterministic across processes.
"""
import glob
import os
import os.path as osp
import signal
import socket
import time

import pytest
import torch

from mmrazor_dfad.apis import export as export_tool
from mmrazor_dfad.engine.optimizers.divergence_guard import \
    TrainingDivergedError
from mmrazor_dfad.testing import write_fake_mnist
from mmrazor_dfad.testing._internal.fault_injection import injected
from mmrazor_dfad.testing._internal.fresh_process import (hold_work_dir_lock,
                                                          start_distributed)
from mmrazor_dfad.testing._internal.tool_runs import (latest_log, log_of,
                                                      run_test, run_train)
from mmrazor_dfad.utils import (WorkDirInUseError, WorkDirLock,
                                checkpoint_file_problem)

pytestmark = pytest.mark.integration


def complete_checkpoints(work_dir):
    return sorted(
        osp.basename(path)
        for path in glob.glob(osp.join(str(work_dir), 'iter_*.pth'))
        if checkpoint_file_problem(path) is None)


def temporaries(work_dir):
    return glob.glob(osp.join(str(work_dir), '.*.tmp'))


# After a kill (conftest.py's killed_runs): what must be on disk (max_keep_
# ckpts=1: the second save rotates out iter_2); the resumed run starts from
# the newest.
KEPT = {
    'kill-write': ['iter_2.pth'],
    'kill-rename': ['iter_2.pth', 'iter_4.pth'],
    'kill-pointer': ['iter_2.pth', 'iter_4.pth'],
    'kill-remove': ['iter_2.pth', 'iter_4.pth'],
    'kill-after-iter': ['iter_4.pth'],
}


@pytest.mark.parametrize('fault', sorted(KEPT))
def test_kill_at_every_phase_of_a_save_keeps_a_checkpoint_and_resumes_exactly(
        fault, killed_runs, mnist_reference, tiny_mnist, assert_same_student):
    work_dir, crashed = killed_runs[fault]
    assert crashed.returncode == -signal.SIGKILL, crashed.output[-3000:]
    kept = KEPT[fault]
    assert complete_checkpoints(work_dir) == kept
    assert bool(temporaries(work_dir)) == (fault == 'kill-write')

    runner = run_train(
        tiny_mnist.args(work_dir, '--resume'), cwd=tiny_mnist.cwd)
    log = log_of(runner)
    newest = kept[-1]
    assert f'Resuming from {work_dir / newest}' in log
    assert f'resumed epoch: 0, iter: {newest[5:-4]}' in log
    if fault == 'kill-write':
        assert 'left by a save that was interrupted' in log
    assert not temporaries(work_dir)
    assert complete_checkpoints(work_dir) == ['iter_6.pth']
    assert_same_student(mnist_reference / 'iter_6.pth',
                        work_dir / 'iter_6.pth')


def test_full_disk_during_a_save_keeps_the_previous_checkpoint(
        tmp_path, tiny_mnist):
    with injected('disk-full', 2), pytest.raises(
            OSError, match='No space left on device') as error:
        run_train(tiny_mnist.args(tmp_path), cwd=tiny_mnist.cwd)
    assert 'nothing was removed' in str(error.value)
    assert complete_checkpoints(tmp_path) == ['iter_2.pth']
    assert not temporaries(tmp_path)


def test_checkpoints_are_readable_like_ordinary_files(mnist_reference):
    umask = os.umask(0o022)
    os.umask(umask)
    mode = os.stat(mnist_reference / 'iter_6.pth').st_mode & 0o777
    assert mode == 0o666 & ~umask == 0o644 or mode == 0o666 & ~umask


def test_checkpoints_do_not_carry_the_teacher(mnist_reference):
    state = torch.load(
        mnist_reference / 'iter_6.pth', weights_only=False)['state_dict']
    assert not [key for key in state if key.startswith('teachers.')]
    assert any(key.startswith('generator.') for key in state)


# One training per work dir


def test_a_second_training_in_the_same_work_dir_is_refused(
        tmp_path, tiny_mnist):
    holder = hold_work_dir_lock(tmp_path)
    try:
        with pytest.raises(
                WorkDirInUseError,
                match=rf"Work dir '.*' is in use by another training \(pid "
                rf'{holder.pid} on {socket.gethostname()}'):
            WorkDirLock(str(tmp_path)).acquire()
        with pytest.raises(
                WorkDirInUseError, match='is in use by another training'):
            run_train(tiny_mnist.args(tmp_path), cwd=tiny_mnist.cwd)
        assert not glob.glob(str(tmp_path / '*.pth'))
    finally:
        holder.kill()  # SIGKILL: the lock must not outlive it
    with WorkDirLock(str(tmp_path)):
        pass


# tools/test.py refuses checkpoints of another model


@pytest.fixture(scope='module')
def exported(mnist_reference, tiny_mnist, tmp_path_factory):
    """The student of the reference run, exported as the tool does."""
    out = tmp_path_factory.mktemp('exported') / 'student.pth'
    export_tool.main(
        [tiny_mnist.config,
         str(mnist_reference / 'iter_6.pth'),
         str(out)])
    return out


def fake_mnist_options(tmp_path):
    root = write_fake_mnist(str(tmp_path / 'mnist'))
    return ['--cfg-options', f'test_dataloader.dataset.data_prefix={root}']


def test_test_refuses_an_exported_student_with_the_dfad_config(
        exported, tiny_mnist, tmp_path):
    # Refused before testing: no accuracy is computed.
    with pytest.raises(ValueError, match='This is an exported student') as \
            error:
        run_test([
            tiny_mnist.config,
            str(exported), '--work-dir',
            str(tmp_path), *fake_mnist_options(tmp_path)
        ],
                 cwd=tiny_mnist.cwd)
    assert str(exported.with_suffix('.py')) in str(error.value)


def test_exported_student_is_testable_with_its_own_config(exported, tmp_path):
    metrics = run_test([
        str(exported.with_suffix('.py')),
        str(exported), '--work-dir',
        str(tmp_path), *fake_mnist_options(tmp_path)
    ])
    assert 'accuracy/top1' in metrics


def test_test_refuses_a_dfad_checkpoint_of_another_student(
        mnist_reference, tiny_mnist, tmp_path):
    with pytest.raises(
            ValueError,
            match='shapes differ for architecture.backbone.features.0.weight'):
        run_test([
            tiny_mnist.config,
            str(mnist_reference / 'iter_6.pth'), '--work-dir',
            str(tmp_path), *fake_mnist_options(tmp_path),
            'model.architecture.backbone.channels=[4,8,60]'
        ],
                 cwd=tiny_mnist.cwd)


def test_test_refuses_a_dfad_checkpoint_with_a_student_config(
        mnist_reference, exported, tmp_path):
    with pytest.raises(
            ValueError, match='This is a DataFreeDistillation checkpoint'):
        run_test([
            str(exported.with_suffix('.py')),
            str(mnist_reference / 'iter_6.pth'), '--work-dir',
            str(tmp_path), *fake_mnist_options(tmp_path)
        ])


# Divergence


def test_a_diverging_run_stops_before_saving_the_exploded_state(
        tmp_path, tiny_mnist):
    options = [
        option
        for option in tiny_mnist.options if not option.startswith('train_cfg')
    ] + [
        'train_cfg.max_iters=8',
        'optim_wrapper.divergence_guard.warmup=2',
    ]
    with injected('explode', 5), pytest.raises(
            TrainingDivergedError, match='training diverged'):
        run_train(
            tiny_mnist.args(tmp_path, options=options), cwd=tiny_mnist.cwd)
    assert complete_checkpoints(tmp_path) == ['iter_4.pth']
    assert f'Newest complete checkpoint: {tmp_path / "iter_4.pth"}' in \
        latest_log(tmp_path)


# A hung rank


def test_a_hung_rank_is_named_after_the_timeout(tmp_path, tiny_mnist):
    options = tiny_mnist.options + ['env_cfg.dist_cfg.timeout=10']
    ranks = start_distributed(
        'train',
        tiny_mnist.args(tmp_path, options=options),
        fault='stop-rank1',
        number=3,
        cwd=tiny_mnist.cwd)
    try:
        start = time.time()
        rank0 = ranks[0].wait(300)
        waited = time.time() - start
    finally:
        for rank in ranks:
            rank.kill()
    assert rank0.returncode != 0
    assert 'Rank 0 gave up waiting for the other ranks' in rank0.output
    assert 'rank 1 (pid' in rank0.output
    assert 'last reported iteration 3' in rank0.output
    assert waited < 200


# An untrained teacher


def test_teacher_is_checked_on_real_data_before_training(tmp_path, tiny_mnist):
    # 40 validation images held out from 80 training ones (root/val).
    root = write_fake_mnist(
        str(tmp_path / 'noise_digits'), num_train=80, num_val=40)
    options = [
        option for option in tiny_mnist.options
        if not option.startswith(('val_', 'train_cfg'))
    ] + [
        'train_cfg.max_iters=1',
        f'val_dataloader.dataset.data_prefix={root}/val'
    ]
    runner = run_train(
        tiny_mnist.args(tmp_path / 'run', options=options), cwd=tiny_mnist.cwd)
    log = log_of(runner)
    assert "Teacher 'lenet5' on 256 generated images: confidence" in log
    # Random images instead of digits: the teacher scores near chance and
    # the user is told before training starts.
    assert "Teacher 'lenet5' top-1 on 40 validation images" in log
    assert 'near chance (10.00)' in log
