# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The resume path as a user meets it: a training killed with ``kill -9``
between two saves, then ``python tools/train.py CONFIG --resume`` in a new
process, ends with the student of an uninterrupted run (the kills at each
phase of a save: test_fault_safety.py)."""
import os.path as osp
import signal
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.e2e
def test_kill_9_then_resume_equals_an_uninterrupted_run(
        killed_runs, tiny_mnist, mnist_reference, assert_same_student):
    # SIGKILL after iteration 5 (conftest.py's killed_runs).
    work_dir, crashed = killed_runs['resume-e2e']
    assert crashed.returncode == -signal.SIGKILL, crashed.output[-2000:]
    assert not osp.exists(work_dir / 'iter_6.pth')
    assert osp.isfile(work_dir / 'iter_4.pth')

    resumed = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'),
        *tiny_mnist.args(work_dir, '--resume')
    ],
                             cwd=tiny_mnist.cwd,
                             capture_output=True,
                             text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert 'resumed epoch: 0, iter: 4' in resumed.stdout + resumed.stderr
    # Bit-equal to the uninterrupted run of this process: the same seed
    # gives the same student in any process.
    assert_same_student(mnist_reference / 'iter_6.pth',
                        work_dir / 'iter_6.pth')
