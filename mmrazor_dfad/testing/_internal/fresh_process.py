# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""``tools/train.py`` and ``tools/test.py`` in fresh processes that cost
no imports.

A test needs a process of its own where the process is the point: it is
killed (``kill -9`` during a save), it is one rank of several (DDP on gloo),
or it holds a lock another process must see. Starting Python for each costs
seconds of imports; here every process is forked from one server process
that imported this package, MMEngine, MMRazor and MMCls once and never ran a
model (``multiprocessing``'s forkserver, so no OpenMP thread pool is
inherited half-initialised). Each process is still a process: a signal
kills it alone, the operating system drops its locks, its output goes to a
file of its own, and it sees this process's environment (plus ``env``) and
working directory as a subprocess would.
"""
import atexit
import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from multiprocessing.connection import wait as wait_for
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

from ..distributed import free_port
from .fault_injection import FAULTS, injected
from .tool_runs import configs_unformatted, unformatted_configs

# What every training imports, imported once by the server.
PRELOAD = [
    'pytest', 'mmrazor_dfad.testing._internal.fresh_process',
    'mmrazor_dfad.apis.train', 'mmrazor_dfad.apis.test', 'mmrazor_dfad.models',
    'mmrazor_dfad.engine', 'mmrazor_dfad.evaluation', 'mmrazor.models',
    'mmcls.models', 'mmcls.datasets', 'mmcls.evaluation'
]
TOOLS = ('train', 'test')
_server: Optional[Any] = None


def _forkserver():
    """The forkserver context (its server starts at the first process)."""
    global _server
    if _server is None:
        _server = multiprocessing.get_context('forkserver')
        # Modules missing here (e.g. MMCls next to MMPretrain) are skipped.
        _server.set_forkserver_preload(PRELOAD)
    return _server


def _redirect_output(log_path: str) -> None:
    """Send this process's stdout and stderr (the file descriptors) to
    ``log_path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _set_environment(environ: Dict[str, str], cwd: Optional[str]) -> None:
    """Take the starting process's environment and working directory."""
    os.environ.clear()
    os.environ.update(environ)
    if 'OMP_NUM_THREADS' in environ:
        # OpenMP read the variable when the server imported torch.
        import torch
        torch.set_num_threads(int(environ['OMP_NUM_THREADS']))
    if cwd is not None:
        os.chdir(cwd)


def _run_tool(tool: str, argv: List[str], fault: str, number: int,
              log_path: str, cwd: Optional[str], environ: Dict[str, str],
              unformatted: bool, context: Optional[Callable]) -> None:
    """The body of a fresh process: ``tools/TOOL.py ARGV`` with ``fault``
    (inside ``context()``)."""
    _redirect_output(log_path)
    _set_environment(environ, cwd)
    if tool == 'train':
        from mmrazor_dfad.apis.train import main
    else:
        from mmrazor_dfad.apis.test import main
    with contextlib.ExitStack() as stack:
        if unformatted:
            stack.enter_context(unformatted_configs())
        if context is not None:
            stack.enter_context(context())
        stack.enter_context(injected(fault, number))
        main(argv)


def _hold_lock(work_dir: str, log_path: str, locked) -> None:
    """The body of a fresh process that holds ``work_dir``'s lock."""
    _redirect_output(log_path)
    from mmrazor_dfad.utils import WorkDirLock
    WorkDirLock(work_dir).acquire()
    locked.set()
    time.sleep(3600)


class Finished(NamedTuple):
    """A process that ended."""

    returncode: int  #: exit status; ``-signal`` when a signal killed it
    output: str  #: its stdout and stderr, in the order written


class FreshProcess:
    """A process started by :func:`start_tool` (or its relatives)."""

    def __init__(self, process, log_path: str) -> None:
        self._process = process
        self._log_path = log_path
        self._output: Optional[str] = None

    @property
    def pid(self) -> int:
        """The process id."""
        return self._process.pid

    def wait(self, timeout: Optional[float] = 600) -> Finished:
        """Wait until the process ends (SIGKILL it after ``timeout``
        seconds and raise ``TimeoutError``)."""
        self._process.join(timeout)
        if self._process.exitcode is None:
            self.kill()
            raise TimeoutError(f'process {self.pid} still ran after '
                               f'{timeout} s:\n{self.output()[-3000:]}')
        return Finished(self._process.exitcode, self.output())

    def kill(self) -> None:
        """SIGKILL the process (a stopped one too) and wait for it."""
        if self._process.exitcode is None:
            self._process.kill()
            self._process.join()

    def output(self) -> str:
        """What the process wrote (so far, while it runs). Its file is
        removed once the process ended and was read."""
        if self._output is not None:
            return self._output
        with open(self._log_path, errors='replace') as file:
            text = file.read()
        if self._process.exitcode is not None:
            self._output = text
            os.remove(self._log_path)
        return text


def _log_file() -> str:
    """A new temporary file for a process's output."""
    handle, path = tempfile.mkstemp(prefix='mmrazor_dfad_', suffix='.log')
    os.close(handle)
    return path


_started: List[FreshProcess] = []


def _kill_the_rest() -> None:
    """At exit: SIGKILL what still runs (multiprocessing would wait for
    it, forever for a stopped rank)."""
    for process in _started:
        process.kill()


def _start(target, args: tuple, log_path: str) -> FreshProcess:
    """Start ``target(*args)`` in a process forked by the server."""
    # Not a daemon: a training may start data loader workers.
    process = _forkserver().Process(target=target, args=args, daemon=False)
    if not _started:
        atexit.register(_kill_the_rest)
    process.start()
    _started.append(FreshProcess(process, log_path))
    return _started[-1]


def start_tool(tool: str,
               argv: Sequence[str],
               fault: str = 'none',
               number: int = 0,
               cwd: Optional[str] = None,
               env: Optional[Dict[str, str]] = None,
               context: Optional[Callable] = None) -> FreshProcess:
    """Start ``tools/TOOL.py ARGV`` with ``fault`` in a fresh process.

    Args:
        tool (str): ``'train'`` or ``'test'``.
        argv (Sequence[str]): The command line after the tool's script.
        fault (str): One of
            :data:`~mmrazor_dfad.testing._internal.fault_injection.FAULTS`.
            Defaults to ``'none'``.
        number (int): At which save (or iteration) the fault strikes.
        cwd (str, optional): Working directory; defaults to the current.
        env (dict, optional): Environment variables set on top of this
            process's.
        context (callable, optional): A context manager (a module-level
            function, e.g. :func:`~mmrazor_dfad.testing.accept_fake_cifar10`)
            the tool runs in.

    Returns:
        FreshProcess: The running process.
    """
    if tool not in TOOLS:
        raise ValueError(f'tool must be one of {TOOLS}, got {tool!r}')
    if fault not in FAULTS:
        raise ValueError(f'unknown fault {fault!r}; one of {FAULTS}')
    log_path = _log_file()
    environ = dict(os.environ, **(env or {}))
    return _start(_run_tool, (tool, list(argv), fault, number, log_path,
                              os.getcwd() if cwd is None else cwd, environ,
                              configs_unformatted(), context), log_path)


def start_training(train_args: Sequence[str],
                   fault: str = 'none',
                   number: int = 0,
                   cwd: Optional[str] = None,
                   env: Optional[Dict[str, str]] = None) -> FreshProcess:
    """:func:`start_tool` of ``tools/train.py``."""
    return start_tool('train', train_args, fault, number, cwd, env)


def train_in_fresh_process(train_args: Sequence[str],
                           fault: str = 'none',
                           number: int = 0,
                           cwd: Optional[str] = None,
                           env: Optional[Dict[str, str]] = None,
                           timeout: float = 600) -> Finished:
    """:func:`start_training` and wait for the end."""
    return start_training(train_args, fault, number, cwd, env).wait(timeout)


def start_distributed(
        tool: str,
        argv: Sequence[str],
        nproc: int = 2,
        fault: str = 'none',
        number: int = 0,
        cwd: Optional[str] = None,
        env: Optional[Dict[str, str]] = None,
        context: Optional[Callable] = None) -> List[FreshProcess]:
    """Start ``nproc`` ranks of ``tools/TOOL.py ARGV --launcher pytorch``
    on this machine, with the environment ``torchrun --nproc_per_node
    NPROC`` gives them (one OpenMP thread each, as ``torchrun`` sets).

    Returns:
        list[FreshProcess]: The ranks, rank 0 first.
    """
    port = str(free_port())
    ranks = []
    for rank in range(nproc):
        rank_env = dict(
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            GROUP_RANK='0',
            WORLD_SIZE=str(nproc),
            LOCAL_WORLD_SIZE=str(nproc),
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=port,
            OMP_NUM_THREADS='1')
        rank_env.update(env or {})
        ranks.append(
            start_tool(tool, [*argv, '--launcher', 'pytorch'], fault, number,
                       cwd, rank_env, context))
    return ranks


def run_distributed(tool: str,
                    argv: Sequence[str],
                    nproc: int = 2,
                    cwd: Optional[str] = None,
                    env: Optional[Dict[str, str]] = None,
                    timeout: float = 600,
                    context: Optional[Callable] = None) -> List[Finished]:
    """:func:`start_distributed` and wait for every rank. When one rank
    fails the others are killed (they would wait for it until the
    distributed timeout), as they are when ``timeout`` seconds are up."""
    ranks = start_distributed(
        tool, argv, nproc, cwd=cwd, env=env, context=context)
    deadline = time.monotonic() + timeout
    pending = {rank._process.sentinel: rank for rank in ranks}
    try:
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f'{tool} ranks still ran after {timeout} s')
            for sentinel in wait_for(list(pending), timeout=left):
                rank = pending.pop(sentinel)
                if rank.wait().returncode != 0:
                    pending.clear()
    finally:
        for rank in ranks:
            rank.kill()
    return [rank.wait() for rank in ranks]


def hold_work_dir_lock(work_dir: str, timeout: float = 120) -> FreshProcess:
    """A fresh process that holds ``work_dir``'s training lock (returned
    once it holds it) until it is killed."""
    log_path = _log_file()
    locked = _forkserver().Event()
    holder = _start(_hold_lock, (str(work_dir), log_path, locked), log_path)
    if not locked.wait(timeout):
        holder.kill()
        raise TimeoutError(f'the lock holder did not lock {work_dir}:\n'
                           f'{holder.output()[-3000:]}')
    return holder
