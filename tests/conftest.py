# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Shared fixtures and the rules of the test tiers (docs/development.md).

Tiers: a test marked ``integration`` starts an MMEngine ``Runner`` or a
process; ``e2e`` goes through a whole user path; every other test is a
unit test, and starting a process or a ``Runner`` there fails at once.
Tests other than e2e that take over 20 s are listed at the end of the run
(and fail it with ``MMRAZOR_DFAD_TEST_BUDGET=strict``).

Fixtures: a tiny algorithm, a fake CIFAR-10 folder, random teachers (the
models and helpers they use are in ``mmrazor_dfad.testing``), and work that
several tests share: one uninterrupted tiny MNIST training.
"""
import collections
import contextlib
import logging
import os
import os.path as osp
import subprocess
from multiprocessing.process import BaseProcess

import pytest
import torch
from mmengine.runner import Runner
from mmengine.utils import ManagerMixin

from mmrazor_dfad.testing import (ToyClassifier, accept_fake_cifar10,
                                  logits_distiller, register_toy_models,
                                  save_random_classifier, write_fake_cifar10)
from mmrazor_dfad.testing._internal.fresh_process import start_training
from mmrazor_dfad.testing._internal.tool_runs import (run_train,
                                                      unformatted_configs)

# One OpenMP/MKL thread per test process (unless set): results do not
# depend on the machine's cores, and on a small machine shared with other
# runs the tests do not lose most of their time in OpenMP spin-waits (an
# MMRazor equivalence test under load 5 on 2 cores: 55 s with 2 threads,
# 11 s with 1). Processes the tests start inherit the variables.
os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', os.environ['OMP_NUM_THREADS'])
torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
# Configs of the tests name type='ToyClassifier'.
register_toy_models()

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TIERS = ('e2e', 'integration')
BUDGET_S = 20.0

# The tiers

UNIT_MESSAGE = ('unit tests start no subprocess/Runner: mark it integration '
                '(@pytest.mark.integration; e2e if it is a whole user path)')
# What libraries run to find a shared library, a compiler or the system's
# fonts when first imported on a machine: not a test's work, and whichever
# test imports first would fail.
LIBRARY_PROBES = ('ldconfig', 'gcc', 'cc', 'c++', 'ld', 'uname', 'nvcc',
                  'nvidia-smi', 'which', 'git', 'fc-list', 'fc-match')


def _let_libraries_set_up() -> None:
    """Run the libraries' one-time machine setup before any test.

    Matplotlib (imported by MMEngine's visualizer) builds its font cache on
    its first import on a machine, starting ``fc-list``; on a fresh machine
    (empty ``MPLCONFIGDIR`` / ``XDG_CACHE_HOME``) that must happen here,
    outside the unit-tier guard, not inside whichever test imports it first.
    """
    import matplotlib.font_manager  # noqa: F401


_let_libraries_set_up()


def tier(item) -> str:
    """``'e2e'``, ``'integration'`` or ``'unit'``."""
    for name in TIERS:
        if item.get_closest_marker(name):
            return name
    return 'unit'


def _program(args) -> str:
    if isinstance(args, (str, bytes, os.PathLike)):
        args = str(args).split()
    return osp.basename(str(args[0])) if args else ''


@contextlib.contextmanager
def _unit_guard(item):
    """For a unit test: starting a process or a ``Runner`` raises."""
    if tier(item) != 'unit':
        yield
        return
    popen_init = subprocess.Popen.__init__

    def refused_popen(self, args, *rest, **kwargs):
        if _program(args) in LIBRARY_PROBES:
            return popen_init(self, args, *rest, **kwargs)
        self._child_created = False  # what Popen.__del__ looks at
        raise RuntimeError(f'{UNIT_MESSAGE}; it started {args!r}')

    def refused(what):

        def refuse(*args, **kwargs):
            raise RuntimeError(f'{UNIT_MESSAGE}; it started {what}')

        return refuse

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, '__init__', refused_popen)
        patch.setattr(BaseProcess, 'start',
                      refused('a multiprocessing Process'))
        patch.setattr(Runner, '__init__', refused('an MMEngine Runner'))
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _unit_guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _unit_guard(item):
        return (yield)


def pytest_collection_modifyitems(items):
    for item in items:
        item.user_properties.append(('tier', tier(item)))


# Runners in this process leave MMEngine's global instances behind (the
# current default scope, message hub, logger, visualizer) and environment
# variables (LOCAL_RANK); each test ends with those there were before it.


def _manager_classes():
    found, todo = [], [ManagerMixin]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = {
        cls: set(vars(cls).get('_instance_dict', ()))
        for cls in _manager_classes()
    }
    environ = dict(os.environ)
    try:
        return (yield)
    finally:
        if os.environ != environ:
            os.environ.clear()
            os.environ.update(environ)
        for cls in _manager_classes():
            instances = vars(cls).get('_instance_dict')
            if instances is None:
                continue
            for name in [n for n in instances if n not in before.get(cls, ())]:
                instance = instances.pop(name)
                if isinstance(instance, logging.Logger):
                    for handler in list(instance.handlers):
                        if isinstance(handler, logging.FileHandler):
                            handler.close()
                            instance.removeHandler(handler)


# The time budget: tests other than e2e over BUDGET_S seconds

_durations = collections.defaultdict(float)
_tiers = {}


def pytest_runtest_logreport(report):
    _durations[report.nodeid] += report.duration
    _tiers[report.nodeid] = dict(report.user_properties).get('tier', 'unit')


def _over_budget():
    return sorted(((seconds, nodeid) for nodeid, seconds in _durations.items()
                   if seconds > BUDGET_S and _tiers.get(nodeid) != 'e2e'),
                  reverse=True)


def pytest_sessionfinish(session, exitstatus):
    strict = os.environ.get('MMRAZOR_DFAD_TEST_BUDGET') == 'strict'
    if strict and _over_budget() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if not _durations:
        return
    totals = collections.Counter()
    for nodeid, seconds in _durations.items():
        totals[_tiers.get(nodeid, 'unit')] += seconds
    terminalreporter.write_line('time per tier (setup + call + teardown): ' +
                                ', '.join(
                                    f'{name} {totals[name]:.1f} s'
                                    for name in ('unit', 'integration', 'e2e')
                                    if name in totals))
    over = _over_budget()
    if over:
        strict = os.environ.get('MMRAZOR_DFAD_TEST_BUDGET') == 'strict'
        terminalreporter.section(
            f'tests over {BUDGET_S:.0f} s not marked e2e' +
            (' (MMRAZOR_DFAD_TEST_BUDGET=strict: the run fails)'
             if strict else ''))
        for seconds, nodeid in over:
            terminalreporter.write_line(f'{seconds:7.1f} s  {nodeid}')


# Shared settings and fixtures


@pytest.fixture(scope='session', autouse=True)
def _configs_left_unformatted():
    """Runners skip MMEngine's yapf formatting of config texts (about 2 s
    per tiny training); e2e tests in fresh processes format as users do."""
    with unformatted_configs():
        yield


@pytest.fixture
def toy_teacher_ckpt(tmp_path):
    """A saved random ToyClassifier (width 8) as a teacher checkpoint."""
    torch.manual_seed(123)
    teacher = ToyClassifier(width=8)
    path = tmp_path / 'toy_teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict(), meta=dict()), path)
    return str(path)


@pytest.fixture
def toy_algorithm_cfg(toy_teacher_ckpt):
    """Config dict of a tiny DataFreeDistillation."""
    return dict(
        type='DataFreeDistillation',
        architecture=dict(type='ToyClassifier', width=4),
        teachers=dict(
            tea=dict(
                build_cfg=dict(type='ToyClassifier', width=8),
                ckpt_path=toy_teacher_ckpt)),
        generator=dict(
            type='DAFLGenerator', img_size=8, latent_dim=16,
            hidden_channels=8),
        distiller=logits_distiller('tea', 1.0),
        generator_distiller=logits_distiller('tea', -1.0),
        student_iter=3,
        student_train_first=True)


@pytest.fixture(scope='session')
def fake_cifar10_root(tmp_path_factory):
    """A fake CIFAR-10 folder (see :func:`fake_cifar10`)."""
    return write_fake_cifar10(str(tmp_path_factory.mktemp('cifar10')))


@pytest.fixture
def fake_cifar10(fake_cifar10_root):
    """A fake CIFAR-10 folder that MMCls accepts while the fixture lives."""
    with accept_fake_cifar10():
        yield fake_cifar10_root


@pytest.fixture(scope='session')
def random_resnet34_ckpt(tmp_path_factory):
    """A randomly initialised MMCls CIFAR ResNet-34, saved like a teacher."""
    return save_random_classifier(
        'mmcls::resnet/resnet34_8xb16_cifar10.py',
        str(tmp_path_factory.mktemp('resnet34') / 'resnet34_random.pth'))


class TinyMnist:
    """The MNIST DFAD config cut to a tiny training: 6 iterations of 8
    images, a checkpoint every 2 (1 kept), no validation, no custom hooks,
    seed 3."""

    config = osp.join(REPO_ROOT, 'configs', 'dfad',
                      'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
    options = [
        'train_dataloader.batch_size=8', 'train_cfg.max_iters=6',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.checkpoint.max_keep_ckpts=1', 'randomness.seed=3',
        'custom_hooks=[]'
    ]
    cwd = REPO_ROOT  # the teacher's checkpoint path is relative to it

    def args(self, work_dir, *extra, options=None):
        """``tools/train.py`` arguments: CONFIG --work-dir WORK_DIR EXTRA
        --cfg-options OPTIONS (by default :attr:`options`)."""
        return [
            self.config, '--work-dir',
            str(work_dir), *extra, '--cfg-options',
            *(self.options if options is None else options)
        ]


@pytest.fixture(scope='session')
def tiny_mnist():
    """:class:`TinyMnist`: the tiny MNIST training's config and options."""
    return TinyMnist()


@pytest.fixture(scope='session')
def mnist_reference(tmp_path_factory, tiny_mnist):
    """The work dir of one uninterrupted tiny MNIST training (in this
    process): what killed, resumed and repeated runs are compared with,
    and the checkpoints the export and test tests read."""
    work_dir = tmp_path_factory.mktemp('mnist_reference')
    runner = run_train(tiny_mnist.args(work_dir), cwd=tiny_mnist.cwd)
    assert runner.iter == 6
    return work_dir


# Kills of the tiny MNIST training: name -> (fault, the save or iteration
# it strikes). During the second save (iteration 4), at each of its phases,
# and after iteration 5, between saves (test_fault_safety.py); once more
# after iteration 5 for the command-line resume (test_resume.py).
KILLS = {
    'kill-write': ('kill-write', 2),
    'kill-rename': ('kill-rename', 2),
    'kill-pointer': ('kill-pointer', 2),
    'kill-remove': ('kill-remove', 2),
    'kill-after-iter': ('kill-after-iter', 5),
    'resume-e2e': ('kill-after-iter', 5),
}


@pytest.fixture(scope='session')
def killed_runs(tmp_path_factory, tiny_mnist):
    """Every kill of ``KILLS``, started together, each in a fresh process:
    ``{name: (work dir, Finished)}``. Each work dir is resumed by one test."""
    started = {}
    for name, (fault, number) in KILLS.items():
        work_dir = tmp_path_factory.mktemp(name)
        started[name] = work_dir, start_training(
            tiny_mnist.args(work_dir), fault, number, cwd=tiny_mnist.cwd)
    return {
        name: (work_dir, process.wait(600))
        for name, (work_dir, process) in started.items()
    }


def student_state(path):
    """The student's weights (``architecture.*``) of a checkpoint."""
    state = torch.load(path, weights_only=False)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('architecture.')}


@pytest.fixture(scope='session')
def assert_same_student():
    """``assert_same_student(expected_path, actual_path)``: the students
    of two checkpoints are bit-equal."""

    def check(expected_path, actual_path):
        expected, actual = student_state(expected_path), student_state(
            actual_path)
        assert expected.keys() == actual.keys()
        for key in expected:
            assert torch.equal(expected[key], actual[key]), key

    return check
