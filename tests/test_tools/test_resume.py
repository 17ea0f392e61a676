# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Crash safety: kill -9 then --resume equals an uninterrupted run; saves
are atomic; runs are deterministic; bad work dirs fail early."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmrazor_dfad.engine.fileio import AtomicLocalBackend
from mmrazor_dfad.utils import ensure_writable_dir, find_resumable_checkpoint

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
MNIST_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
TINY = [
    'train_dataloader.batch_size=8', 'train_cfg.max_iters=6', 'val_cfg=None',
    'val_dataloader=None', 'val_evaluator=None',
    'default_hooks.checkpoint.interval=2', 'randomness.seed=3',
    'custom_hooks=[]'
]
RUN = '''
import os, signal, sys
from mmrazor_dfad.apis import train
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

@HOOKS.register_module()
class KillAt(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == {kill_at}:
            os.kill(os.getpid(), signal.SIGKILL)

build_config = train.build_config

def with_kill(args):
    cfg = build_config(args)
    if {kill_at} > 0:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='KillAt')]
    return cfg

train.build_config = with_kill
train.main(sys.argv[1:])
'''


def run(work_dir, kill_at=0, resume=False):
    code = RUN.format(kill_at=kill_at)
    args = [MNIST_CONFIG, '--work-dir', str(work_dir)]
    if resume:
        args.append('--resume')
    return subprocess.run(
        [sys.executable, '-c', code, *args, '--cfg-options', *TINY],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600)


def student(path):
    state = torch.load(path, weights_only=False)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('architecture.')}


@pytest.mark.slow
def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    reference = run(tmp_path / 'reference')
    assert reference.returncode == 0, reference.stderr[-2000:]

    crashed = run(tmp_path / 'crashed', kill_at=5)
    assert crashed.returncode == -9
    assert not osp.exists(tmp_path / 'crashed' / 'iter_6.pth')
    assert osp.isfile(tmp_path / 'crashed' / 'iter_4.pth')
    resumed = run(tmp_path / 'crashed', resume=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert 'resumed epoch: 0, iter: 4' in resumed.stdout + resumed.stderr

    expected = student(tmp_path / 'reference' / 'iter_6.pth')
    actual = student(tmp_path / 'crashed' / 'iter_6.pth')
    assert expected.keys() == actual.keys()
    for key in expected:
        diff = (expected[key].double() - actual[key].double()).abs().max()
        assert diff <= 1e-6, (key, diff)

    # Determinism: a second uninterrupted run with the same seed is equal.
    again = run(tmp_path / 'again')
    assert again.returncode == 0
    for key, value in student(tmp_path / 'again' / 'iter_6.pth').items():
        assert torch.equal(value, expected[key]), key


def test_atomic_save_keeps_the_previous_file(tmp_path, monkeypatch):
    backend = AtomicLocalBackend()
    target = tmp_path / 'iter_2.pth'
    backend.put(b'good checkpoint', target)

    class Killed(Exception):
        pass

    def dies_mid_write(fd):
        raise Killed()

    monkeypatch.setattr(os, 'fsync', dies_mid_write)
    with pytest.raises(Killed):
        backend.put(b'half a checkp', target)
    assert target.read_bytes() == b'good checkpoint'
    assert os.listdir(tmp_path) == ['iter_2.pth']  # no temporary left


def test_resume_skips_a_damaged_checkpoint(tmp_path):
    good = tmp_path / 'iter_2.pth'
    torch.save({'state_dict': {}}, good)
    damaged = tmp_path / 'iter_4.pth'
    damaged.write_bytes(good.read_bytes()[:20])
    (tmp_path / 'last_checkpoint').write_text(str(damaged))
    assert find_resumable_checkpoint(str(tmp_path)) == str(good)
    assert find_resumable_checkpoint(str(tmp_path / 'empty')) is None


@pytest.mark.skipif(os.geteuid() == 0, reason='root can write anywhere')
def test_unwritable_work_dir_fails_early(tmp_path):
    locked = tmp_path / 'locked'
    locked.mkdir(mode=0o500)
    with pytest.raises(PermissionError, match='--work-dir DIR'):
        ensure_writable_dir(str(locked / 'run'), '--work-dir')


def test_unwritable_work_dir_message(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    with pytest.raises(
            PermissionError,
            match="Work dir '.*' is not "
            'writable.*--work-dir DIR'):
        ensure_writable_dir(str(blocker / 'run'), '--work-dir')
