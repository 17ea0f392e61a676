# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The rules of the test tiers (tests/conftest.py): a unit test that starts
a process or an MMEngine Runner fails at once, and says how to fix it."""
import multiprocessing
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.runner import Runner

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MESSAGE = 'unit tests start no subprocess/Runner: mark it integration'


def test_a_subprocess_in_a_unit_test_fails_loudly():
    with pytest.raises(RuntimeError, match=MESSAGE):
        subprocess.run([sys.executable, '-c', 'pass'])
    with pytest.raises(RuntimeError, match=MESSAGE):
        subprocess.Popen([sys.executable, '-c', 'pass'])


def test_a_runner_or_a_multiprocessing_process_in_a_unit_test_fails_loudly(
        tmp_path):
    with pytest.raises(RuntimeError, match=MESSAGE):
        Runner(model=dict(type='ToyClassifier'), work_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match=MESSAGE):
        multiprocessing.get_context('spawn').Process(target=print).start()


@pytest.mark.integration
def test_an_integration_test_may_start_a_process():
    result = subprocess.run([sys.executable, '-c', 'print(6 * 7)'],
                            capture_output=True,
                            text=True)
    assert result.stdout.strip() == '42'


@pytest.mark.integration
def test_unit_tests_pass_on_a_machine_without_library_caches(tmp_path):
    """A fresh machine has no matplotlib font cache: building it starts a
    process, which the unit-tier guard must leave to the library."""
    env = dict(
        os.environ,
        MPLCONFIGDIR=str(tmp_path / 'mpl'),
        XDG_CACHE_HOME=str(tmp_path / 'xdg'))
    result = subprocess.run([
        sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
        osp.join(REPO_ROOT, 'tests', 'test_visualization')
    ],
                            cwd=REPO_ROOT,
                            env=env,
                            capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert os.listdir(tmp_path / 'mpl'), 'matplotlib built no font cache'
