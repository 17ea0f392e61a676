# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Faults a user meets: kills at every phase of a checkpoint save, a full
disk, damaged files, a second training in the same work dir, checkpoints of
another model, damaged or untrained teachers, diverging runs, a hung rank.
Each test asserts what survives and what the user is told."""
import glob
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch

from mmrazor_dfad.testing import free_port
from mmrazor_dfad.utils import (WorkDirInUseError, WorkDirLock,
                                checkpoint_file_problem,
                                choose_resume_checkpoint)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
MNIST_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
FAULTS = osp.join(REPO_ROOT, 'tests', 'fault_injection.py')
TINY = [
    'train_dataloader.batch_size=8', 'train_cfg.max_iters=6', 'val_cfg=None',
    'val_dataloader=None', 'val_evaluator=None',
    'default_hooks.checkpoint.interval=2',
    'default_hooks.checkpoint.max_keep_ckpts=1', 'randomness.seed=3',
    'custom_hooks=[]'
]


def train(work_dir,
          fault='none',
          number=0,
          extra=(),
          options=TINY,
          env=None,
          timeout=600):
    args = [
        sys.executable, FAULTS, fault,
        str(number), '--', MNIST_CONFIG, '--work-dir',
        str(work_dir), *extra, '--cfg-options', *options
    ]
    return subprocess.run(
        args,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env)


def student(path):
    state = torch.load(path, weights_only=False)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('architecture.')}


def complete_checkpoints(work_dir):
    return sorted(
        osp.basename(path)
        for path in glob.glob(osp.join(str(work_dir), 'iter_*.pth'))
        if checkpoint_file_problem(path) is None)


def assert_same_student(expected_path, actual_path):
    expected, actual = student(expected_path), student(actual_path)
    assert expected.keys() == actual.keys()
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key


@pytest.fixture(scope='module')
def reference_run(tmp_path_factory):
    """The uninterrupted run every faulty run is compared with."""
    work_dir = tmp_path_factory.mktemp('reference')
    result = train(work_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    return work_dir


# A kill during the second save (iteration 4), which rotates out iter_2
# with max_keep_ckpts=1: what must be on disk afterwards, and what the
# resumed run must start from.
KILLS = {
    'kill-write': ['iter_2.pth'],
    'kill-rename': ['iter_2.pth', 'iter_4.pth'],
    'kill-pointer': ['iter_2.pth', 'iter_4.pth'],
    'kill-remove': ['iter_2.pth', 'iter_4.pth'],
}


@pytest.mark.slow
@pytest.mark.parametrize('fault', sorted(KILLS))
def test_kill_at_every_phase_of_a_save_keeps_a_checkpoint_and_resumes_exactly(
        fault, tmp_path, reference_run):
    crashed = train(tmp_path, fault, number=2)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-3000:]
    assert complete_checkpoints(tmp_path) == KILLS[fault]
    leftovers = glob.glob(str(tmp_path / '.*.tmp'))
    assert bool(leftovers) == (fault == 'kill-write')

    resumed = train(tmp_path, extra=['--resume'])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    log = resumed.stdout + resumed.stderr
    newest = KILLS[fault][-1]
    assert f'Resuming from {tmp_path / newest}' in log
    if fault == 'kill-write':
        assert 'left by a save that was interrupted' in log
    assert not glob.glob(str(tmp_path / '.*.tmp'))
    assert complete_checkpoints(tmp_path) == ['iter_6.pth']
    assert_same_student(reference_run / 'iter_6.pth', tmp_path / 'iter_6.pth')


@pytest.mark.slow
def test_full_disk_during_a_save_keeps_the_previous_checkpoint(tmp_path):
    result = train(tmp_path, 'disk-full', number=2)
    assert result.returncode != 0
    assert 'No space left on device' in result.stderr
    assert 'nothing was removed' in result.stderr
    assert complete_checkpoints(tmp_path) == ['iter_2.pth']
    assert not glob.glob(str(tmp_path / '.*.tmp'))


def test_checkpoints_are_readable_like_ordinary_files(reference_run):
    umask = os.umask(0o022)
    os.umask(umask)
    mode = os.stat(reference_run / 'iter_6.pth').st_mode & 0o777
    assert mode == 0o666 & ~umask == 0o644 or mode == 0o666 & ~umask


def test_checkpoints_do_not_carry_the_teacher(reference_run):
    state = torch.load(
        reference_run / 'iter_6.pth', weights_only=False)['state_dict']
    assert not [key for key in state if key.startswith('teachers.')]
    assert any(key.startswith('generator.') for key in state)


# --resume: what it says and when it stops


def write_checkpoint(path, damage=None):
    torch.save({'state_dict': {}}, path)
    if damage == 'truncated':
        path.write_bytes(path.read_bytes()[:40])
    elif damage == 'empty':
        path.write_bytes(b'')


def test_resume_names_skipped_checkpoints_and_picks_the_newest_complete(
        tmp_path):
    write_checkpoint(tmp_path / 'iter_2.pth')
    write_checkpoint(tmp_path / 'iter_4.pth', 'truncated')
    write_checkpoint(tmp_path / 'iter_6.pth', 'empty')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_6.pth'))
    path, notes = choose_resume_checkpoint(str(tmp_path), 'auto')
    assert path == str(tmp_path / 'iter_2.pth')
    assert notes == [
        f'Skipped {tmp_path / "iter_6.pth"} for resuming: the file is empty '
        '(0 bytes).',
        f'Skipped {tmp_path / "iter_4.pth"} for resuming: the file is '
        'truncated or damaged (40 bytes; File is not a zip file).',
        f'Resuming from {tmp_path / "iter_2.pth"}.',
    ]


def test_resume_prefers_a_newer_complete_file_over_a_stale_pointer(tmp_path):
    write_checkpoint(tmp_path / 'iter_2.pth')
    write_checkpoint(tmp_path / 'iter_4.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    path, _ = choose_resume_checkpoint(str(tmp_path), 'auto')
    assert path == str(tmp_path / 'iter_4.pth')


def test_resume_with_nothing_to_resume_stops_and_says_what_it_found(tmp_path):
    with pytest.raises(
            FileNotFoundError,
            match=r"--resume found no checkpoint in '.*empty'. To "
            'start from scratch, run without --resume'):
        (tmp_path / 'empty').mkdir()
        choose_resume_checkpoint(str(tmp_path / 'empty'), 'auto')
    with pytest.raises(
            FileNotFoundError,
            match=r"the work dir '.*typo' does not exist "
            r'\(mistyped --work-dir\?\)'):
        choose_resume_checkpoint(str(tmp_path / 'typo'), 'auto')
    write_checkpoint(tmp_path / 'iter_4.pth', 'truncated')
    with pytest.raises(
            FileNotFoundError,
            match=r'no complete checkpoint in .*\(iter_4.pth: the '
            'file is truncated or damaged'):
        choose_resume_checkpoint(str(tmp_path), 'auto')
    with pytest.raises(
            ValueError,
            match=r'--resume .*iter_4.pth: cannot resume from it: '
            'the file is truncated'):
        choose_resume_checkpoint(str(tmp_path), str(tmp_path / 'iter_4.pth'))


def test_resume_if_any_starts_fresh_and_says_so(tmp_path):
    path, notes = choose_resume_checkpoint(str(tmp_path), None, True)
    assert path is None
    assert notes[-1].startswith('--resume-if-any: no complete checkpoint')


@pytest.mark.slow
def test_train_with_resume_and_an_empty_work_dir_stops_before_training(
        tmp_path):
    result = train(tmp_path / 'mistyped', extra=['--resume'])
    assert result.returncode != 0
    assert "--resume found the work dir" in result.stderr
    assert not osp.exists(tmp_path / 'mistyped')


# One training per work dir

LOCK_HOLDER = '''
import sys, time
from mmrazor_dfad.utils import WorkDirLock
WorkDirLock(sys.argv[1]).acquire()
print('locked', flush=True)
time.sleep(600)
'''


@pytest.mark.slow
def test_a_second_training_in_the_same_work_dir_is_refused(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, '-c', LOCK_HOLDER,
         str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        with pytest.raises(
                WorkDirInUseError,
                match=rf"Work dir '.*' is in use by another training \(pid "
                rf'{holder.pid} on {socket.gethostname()}'):
            WorkDirLock(str(tmp_path)).acquire()
        result = train(tmp_path)
        assert result.returncode != 0
        assert 'is in use by another training' in result.stderr
        assert not glob.glob(str(tmp_path / '*.pth'))
    finally:
        holder.kill()  # SIGKILL: the lock must not outlive it
        holder.wait()
    with WorkDirLock(str(tmp_path)):
        pass


# tools/test.py refuses checkpoints of another model


def run_tool(*args):
    return subprocess.run([sys.executable, *args],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=600)


@pytest.fixture(scope='module')
def exported(reference_run, tmp_path_factory):
    out = tmp_path_factory.mktemp('exported') / 'student.pth'
    result = run_tool(
        osp.join(REPO_ROOT, 'tools', 'model_converters', 'export_student.py'),
        MNIST_CONFIG, str(reference_run / 'iter_6.pth'), str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def fake_mnist_options(tmp_path):
    from mmrazor_dfad.testing import write_fake_mnist
    root = write_fake_mnist(str(tmp_path / 'mnist'))
    return ['--cfg-options', f'test_dataloader.dataset.data_prefix={root}']


@pytest.mark.slow
def test_test_refuses_an_exported_student_with_the_dfad_config(
        exported, tmp_path):
    result = run_tool(
        osp.join(REPO_ROOT, 'tools', 'test.py'), MNIST_CONFIG, str(exported),
        '--work-dir', str(tmp_path), *fake_mnist_options(tmp_path))
    assert result.returncode != 0
    assert 'This is an exported student' in result.stderr
    assert str(exported.with_suffix('.py')) in result.stderr
    assert 'accuracy/top1' not in result.stdout + result.stderr


@pytest.mark.slow
def test_exported_student_is_testable_with_its_own_config(exported, tmp_path):
    result = run_tool(
        osp.join(REPO_ROOT, 'tools', 'test.py'),
        str(exported.with_suffix('.py')), str(exported), '--work-dir',
        str(tmp_path), *fake_mnist_options(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'accuracy/top1' in result.stdout + result.stderr


@pytest.mark.slow
def test_test_refuses_a_dfad_checkpoint_of_another_student(
        reference_run, tmp_path):
    result = run_tool(
        osp.join(REPO_ROOT, 'tools', 'test.py'), MNIST_CONFIG,
        str(reference_run / 'iter_6.pth'), '--work-dir', str(tmp_path),
        *fake_mnist_options(tmp_path),
        'model.architecture.backbone.channels=[4,8,60]')
    assert result.returncode != 0
    assert 'shapes differ for architecture.backbone.features.0.weight' in \
        result.stderr


@pytest.mark.slow
def test_test_refuses_a_dfad_checkpoint_with_a_student_config(
        reference_run, exported, tmp_path):
    result = run_tool(
        osp.join(REPO_ROOT, 'tools', 'test.py'),
        str(exported.with_suffix('.py')), str(reference_run / 'iter_6.pth'),
        '--work-dir', str(tmp_path), *fake_mnist_options(tmp_path))
    assert result.returncode != 0
    assert 'This is a DataFreeDistillation checkpoint' in result.stderr


# Divergence


@pytest.mark.slow
def test_a_diverging_run_stops_before_saving_the_exploded_state(tmp_path):
    options = [
        option for option in TINY if not option.startswith('train_cfg')
    ] + [
        'train_cfg.max_iters=8',
        'optim_wrapper.divergence_guard.warmup=2',
    ]
    result = train(tmp_path, 'explode', number=5, options=options)
    assert result.returncode != 0
    assert 'TrainingDivergedError' in result.stderr
    assert 'training diverged' in result.stderr
    assert complete_checkpoints(tmp_path) == ['iter_4.pth']
    assert f'Newest complete checkpoint: {tmp_path / "iter_4.pth"}' in \
        result.stdout + result.stderr


# A hung rank

HUNG_RANK_OPTIONS = [
    option for option in TINY if not option.startswith('custom_hooks')
] + ['env_cfg.dist_cfg.timeout=10']


@pytest.mark.slow
def test_a_hung_rank_is_named_after_the_timeout(tmp_path):
    port = free_port()
    processes = []
    for rank in range(2):
        env = dict(
            os.environ,
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            WORLD_SIZE='2',
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=str(port),
            OMP_NUM_THREADS='1')
        processes.append(
            subprocess.Popen([
                sys.executable, FAULTS, 'stop-rank1', '3', '--', MNIST_CONFIG,
                '--work-dir',
                str(tmp_path), '--launcher', 'pytorch', '--cfg-options',
                *HUNG_RANK_OPTIONS
            ],
                             cwd=REPO_ROOT,
                             env=env,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE,
                             text=True))
    try:
        start = time.time()
        _, stderr = processes[0].communicate(timeout=300)
        waited = time.time() - start
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert processes[0].returncode != 0
    assert 'Rank 0 gave up waiting for the other ranks' in stderr
    assert 'rank 1 (pid' in stderr and 'last reported iteration 3' in stderr
    assert waited < 200


@pytest.mark.slow
def test_teacher_is_checked_on_real_data_before_training(tmp_path):
    from mmrazor_dfad.testing import write_fake_mnist
    root = write_fake_mnist(str(tmp_path / 'noise_digits'), num_test=40)
    options = [
        option
        for option in TINY if not option.startswith(('val_', 'train_cfg'))
    ] + [
        'train_cfg.max_iters=1', f'val_dataloader.dataset.data_prefix={root}'
    ]
    result = train(tmp_path / 'run', options=options)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert "Teacher 'lenet5' on 256 generated images: confidence" in log
    # Random images instead of digits: the teacher scores near chance and
    # the user is told before training starts.
    assert "Teacher 'lenet5' top-1 on 40 validation images" in log
    assert 'near chance (10.00)' in log


class _OrderRunner:
    """Just enough of a runner for CheckpointHook's best-checkpoint path."""

    def __init__(self, work_dir, events):
        from mmengine.logging import MessageHub
        self.work_dir = str(work_dir)
        self.events = events
        self.epoch, self.iter = 0, 0
        # A fresh hub per runner: reusing one would carry kept checkpoint
        # ids and best scores from one run into the next.
        import uuid
        self.message_hub = MessageHub.get_instance(f'order-{uuid.uuid4()}')
        import logging
        self.logger = logging.getLogger('order-runner')

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        path = osp.join(out_dir, filename)
        torch.save({'state_dict': {}}, path)
        self.events.append(('saved', filename))


def test_best_checkpoint_is_replaced_only_after_the_new_one_is_saved(
        tmp_path, monkeypatch):
    from mmengine.fileio import LocalBackend
    from mmengine.hooks import CheckpointHook

    from mmrazor_dfad.engine.hooks import SafeCheckpointHook
    events = []
    original_remove = LocalBackend.remove

    def remove(self, filepath):
        events.append(('removed', osp.basename(filepath)))
        return original_remove(self, filepath)

    monkeypatch.setattr(LocalBackend, 'remove', remove)

    def run(hook_type, work_dir):
        events.clear()
        work_dir.mkdir()
        hook = hook_type(
            interval=1,
            by_epoch=False,
            save_best='acc',
            rule='greater',
            max_keep_ckpts=1)
        runner = _OrderRunner(work_dir, events)
        hook.before_train(runner)
        for step, acc in ((1, 0.5), (2, 0.7)):
            runner.iter = step
            hook._save_checkpoint(runner)
            hook._save_best_checkpoint(runner, {'acc': acc})
        return list(events)

    # Every removal comes after the save of the file that replaces it.
    assert run(SafeCheckpointHook,
               tmp_path / 'safe') == [('saved', 'iter_2.pth'),
                                      ('saved', 'best_acc_iter_1.pth'),
                                      ('saved', 'iter_1.pth'),
                                      ('removed', 'iter_2.pth'),
                                      ('saved', 'iter_3.pth'),
                                      ('removed', 'iter_1.pth'),
                                      ('saved', 'best_acc_iter_2.pth'),
                                      ('saved', 'iter_2.pth'),
                                      ('removed', 'best_acc_iter_1.pth'),
                                      ('removed', 'iter_3.pth')]
    # MMEngine's hook removes first: the window this hook closes.
    plain = run(CheckpointHook, tmp_path / 'plain')
    assert plain.index(('removed', 'best_acc_iter_1.pth')) < plain.index(
        ('saved', 'best_acc_iter_2.pth'))
