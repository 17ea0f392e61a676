# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Run what ``tools/train.py`` and ``tools/test.py`` run, in this process.

Several runners in one process share MMEngine's global state: loggers,
message hubs and visualizers are looked up by the runner's experiment name
(the config's file name and the second it started), and a work dir's log
folder is named after that second. :func:`run_train` and :func:`run_test` give
every run an experiment name of its own, start no two runs of one work dir
in the same second, run in a given working directory and restore the
environment variables the tools set (``LOCAL_RANK``), so the runs of one
test session stay independent.
"""
import contextlib
import glob
import itertools
import json
import os
import os.path as osp
import time
from typing import Iterator, List, Optional, Sequence

from mmengine.config import config as mmengine_config

_RUN_NUMBERS = itertools.count()


def _keep_text(text: str, *args, **kwargs):
    """yapf's ``FormatCode`` that leaves the text as it is."""
    return text, False


@contextlib.contextmanager
def unformatted_configs() -> Iterator[None]:
    """Config texts as ``Config(format_python_code=False)`` writes them.

    A runner formats its config with yapf to log it, to dump it into the
    work dir and into every checkpoint's meta: about 0.3 s each, seven
    times in a tiny training, more than the training itself. The text
    stays the same Python, unformatted.
    """
    original = mmengine_config.FormatCode
    mmengine_config.FormatCode = _keep_text
    try:
        yield
    finally:
        mmengine_config.FormatCode = original


def configs_unformatted() -> bool:
    """Whether :func:`unformatted_configs` is in effect."""
    return mmengine_config.FormatCode is _keep_text


def _with_experiment_name(argv: Sequence[str]) -> List[str]:
    """``argv`` with ``experiment_name=<unique>`` among its
    ``--cfg-options`` (added right after the flag, whose values run to the
    next flag)."""
    name = f'experiment_name=test_run_{os.getpid()}_{next(_RUN_NUMBERS)}'
    argv = list(argv)
    if '--cfg-options' in argv:
        at = argv.index('--cfg-options') + 1
        return argv[:at] + [name] + argv[at:]
    return argv + ['--cfg-options', name]


def _work_dir_of(argv: Sequence[str], cwd: Optional[str]) -> Optional[str]:
    """The ``--work-dir`` of a tool's command line run in ``cwd``, if
    given."""
    if '--work-dir' not in argv:
        return None
    work_dir = str(argv[list(argv).index('--work-dir') + 1])
    return osp.join(os.getcwd() if cwd is None else cwd, work_dir)


def _wait_for_a_new_log_folder(work_dir: Optional[str]) -> None:
    """Wait until the second a runner would name its log folder after is
    not taken in ``work_dir``."""
    if not work_dir or not osp.isdir(work_dir):
        return
    while osp.exists(osp.join(work_dir, time.strftime('%Y%m%d_%H%M%S'))):
        time.sleep(0.05)


@contextlib.contextmanager
def _tool_environment(cwd: Optional[str]) -> Iterator[None]:
    """Work in ``cwd``; restore the working directory and ``os.environ``."""
    environ = dict(os.environ)
    previous = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(previous)
        os.environ.clear()
        os.environ.update(environ)


def run_train(argv: Sequence[str], cwd: Optional[str] = None):
    """``tools/train.py ARGV`` in this process; returns the runner.

    Args:
        argv (Sequence[str]): The command line after ``tools/train.py``.
        cwd (str, optional): Working directory of the run (relative paths
            of the config, e.g. teacher checkpoints, are relative to it).
            Defaults to the current one.
    """
    from mmrazor_dfad.apis import train as train_tool
    _wait_for_a_new_log_folder(_work_dir_of(argv, cwd))
    with _tool_environment(cwd):
        return train_tool.main(_with_experiment_name(argv))


def run_test(argv: Sequence[str], cwd: Optional[str] = None) -> dict:
    """``tools/test.py ARGV`` in this process; returns the metrics."""
    from mmrazor_dfad.apis import test as test_tool
    _wait_for_a_new_log_folder(_work_dir_of(argv, cwd))
    with _tool_environment(cwd):
        return test_tool.main(_with_experiment_name(argv))


def log_of(runner) -> str:
    """The text of ``runner``'s log file."""
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as file:
        return file.read()


def latest_log(work_dir: str) -> str:
    """The text of the log of the newest run in ``work_dir`` (for runs that
    raised before they returned a runner)."""
    paths = sorted(glob.glob(osp.join(str(work_dir), '*', '*.log')))
    if not paths:
        return ''
    with open(paths[-1]) as file:
        return file.read()


def read_scalars(work_dir: str) -> List[dict]:
    """Logged scalars (``vis_data/scalars.json``) of the newest run in
    ``work_dir``."""
    runs = sorted(
        glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json')))
    with open(runs[-1]) as file:
        return [json.loads(line) for line in file]
