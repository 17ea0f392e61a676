# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The rules of the test tiers (tests/conftest.py): a unit test that starts
a process or an MMEngine Runner fails at once, and says how to fix it."""
import multiprocessing
import subprocess
import sys

import pytest
from mmengine.runner import Runner

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
