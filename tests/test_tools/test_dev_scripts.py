# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Smoke tests of ``.dev_scripts/*.py``: every script's ``--help`` (in this
process, no subprocess) says where it writes; the speed comparison runs end
to end on MNIST LeNet-5 at batch 8."""
import contextlib
import glob
import importlib.util
import inspect
import io
import json
import os
import os.path as osp
import re
import runpy
import subprocess
import sys
import tempfile

import pytest
# Imported before the subprocess guard: its first import runs ldconfig.
import torch  # noqa: F401

from run_records import load_results

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEV_SCRIPTS = osp.join(REPO, '.dev_scripts')
MNIST_DFAD = 'configs/dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py'
# Listed at collection time, so a new script is covered without edits here.
SCRIPTS = sorted(
    osp.basename(path) for path in glob.glob(osp.join(DEV_SCRIPTS, '*.py')))
# A description says where the script writes: a verb of writing and a
# destination (a results file, a JSON/markdown/YAML file, --out, stdout).
WRITES = re.compile(r'\b(writes?|written|stores?|records?|prints?|renders?)\b',
                    re.IGNORECASE)
WHERE = re.compile(r'results/|\.json|\.md\b|\.yml\b|--out\b|stdout')


def load_script(name):
    """Import ``.dev_scripts/NAME`` as a module (not run as __main__)."""
    path = osp.join(DEV_SCRIPTS, name)
    spec = importlib.util.spec_from_file_location(f'dev_script_{name[:-3]}',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def takes_argv(main):
    return len(inspect.signature(main).parameters) > 0


def no_subprocess(*args, **kwargs):
    raise AssertionError(f'--help started a process: {args!r}')


def help_text(name, monkeypatch):
    """What ``NAME --help`` prints, run in this process, and its exit
    code."""
    for module, attr in ((subprocess, 'Popen'), (os, 'system'),
                         (os, 'posix_spawn'), (os, 'fork')):
        if hasattr(module, attr):
            monkeypatch.setattr(module, attr, no_subprocess)
    monkeypatch.chdir(REPO)  # scripts may chdir; undone after the test
    path = osp.join(DEV_SCRIPTS, name)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as raised:
        module = load_script(name)
        main = getattr(module, 'main', None)
        monkeypatch.setattr(sys, 'argv', [path, '--help'])  # argparse's prog
        if main is not None and takes_argv(main):
            main(['--help'])
        else:
            runpy.run_path(path, run_name='__main__')
    return out.getvalue(), raised.value.code


def test_scripts_are_listed():
    assert 'benchmark_speed.py' in SCRIPTS


@pytest.mark.parametrize('name', SCRIPTS)
def test_help_says_where_it_writes(name, monkeypatch):
    text, code = help_text(name, monkeypatch)
    assert code in (0, None), text
    # Between the usage lines and the first group of arguments.
    description = text.split('\n\n', 1)[-1]
    description = re.split(
        r'^(?:positional arguments|options):', description,
        flags=re.MULTILINE)[0]
    assert WRITES.search(description) and WHERE.search(description), (
        f'{name} --help should say what it writes where; its description '
        f'is:\n{description}')


@pytest.mark.integration
def test_benchmark_speed_end_to_end(tmp_path, monkeypatch):
    """ours and bare, one timed iteration each, JSON to tmp_path."""
    monkeypatch.chdir(REPO)
    # The runner's work dirs (tempfile.mkdtemp) go under tmp_path.
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    speed = load_script('benchmark_speed.py')
    out = tmp_path / 'speed.json'
    speed.main([
        MNIST_DFAD, '--batch', '8', '--iters', '1', '--repeats', '1',
        '--contenders', 'ours', 'bare', '--rss-probes', '0', '--out',
        str(out)
    ])
    assert glob.glob(str(tmp_path / 'speed_*' / '*' / 'vis_data'))
    # Written in the results schema, and read back by its one loader.
    results = load_results(str(out))
    assert [r.contender for r in results.speed] == ['ours', 'bare']
    assert all(r.s_per_iter > 0 and len(r.s_per_iter_samples) == 1
               for r in results.speed)
    assert all(r.peak_rss_mb is None for r in results.speed)
    assert results.extra['batch'] == 8
    assert results.extra['iters_per_repeat'] == 1
    # Auditable: the commit, threads and machine are filled in.
    assert not any(r.legacy for r in results.speed), results.speed[0]


def test_speed_contenders_take_turns_going_first():
    measure = load_script('benchmark_speed.py').speed.measure
    order = []

    class Contender:

        def __init__(self, name):
            self.name = name

        def time(self, iters):
            order.append(self.name)
            return 1.0

    contenders = {name: Contender(name) for name in ('ours', 'bare', 'mm')}
    samples = measure.interleaved(contenders, repeats=3, iters=1)
    assert order == [
        'ours', 'bare', 'mm', 'bare', 'mm', 'ours', 'mm', 'ours', 'bare'
    ]
    assert samples == {name: [1.0] * 3 for name in contenders}


def test_stop_at_ratio_config_stops_at_the_threshold_only(tmp_path):
    from mmengine.config import Config
    from mmengine.registry import HOOKS
    benchmark = load_script('benchmark_recipe.py')
    path = benchmark.config_stopping_at(MNIST_DFAD, str(tmp_path),
                                        'accuracy/top1', 96.0)
    cfg = Config.fromfile(path)
    base = Config.fromfile(osp.join(REPO, MNIST_DFAD))
    # The run is the config's run plus one hook.
    assert cfg.model == base.model
    assert cfg.custom_hooks[:-1] == base.get('custom_hooks', [])
    hook = HOOKS.build(cfg.custom_hooks[-1])

    class Loop:
        stop_training = False

    class Runner:
        train_loop = Loop()
        logger = type('Logger', (), {'info': staticmethod(print)})

    runner = Runner()
    # A long plateau below the threshold does not stop the run...
    for score in [50.0] + [90.0] * 20:
        hook.after_val_epoch(runner, {'accuracy/top1': score})
        assert not runner.train_loop.stop_training
    # ...the first validation at the threshold does.
    hook.after_val_epoch(runner, {'accuracy/top1': 96.0})
    assert runner.train_loop.stop_training


@pytest.mark.integration
def test_benchmark_recipe_validates_on_val_and_tests_once_at_the_end(
        tmp_path, monkeypatch):
    """Selection reads the validation split; the recorded number is the
    test split's, read once per run at its final iteration, and says so."""
    from types import SimpleNamespace

    from mmengine.runner import Runner

    from mmrazor_dfad.apis import test as test_api
    from mmrazor_dfad.testing import write_fake_mnist
    monkeypatch.chdir(REPO)  # the script chdirs; the teacher path is relative
    root = write_fake_mnist(str(tmp_path / 'mnist'), num_train=16)
    benchmark = load_script('benchmark_recipe.py')
    # Not the repository's tables.
    monkeypatch.setattr(benchmark, 'subprocess',
                        SimpleNamespace(run=lambda *a, **k: None))
    tests, tested_runners = [], []
    runner_test = Runner.test

    def counted_test(runner):
        tests.append(runner.iter)
        return runner_test(runner)

    monkeypatch.setattr(Runner, 'test', counted_test)
    final_test = test_api.final_test

    def recorded_final_test(runner):
        tested_runners.append(runner)
        return final_test(runner)

    monkeypatch.setattr(test_api, 'final_test', recorded_final_test)
    out = tmp_path / 'recipes.json'
    options = [
        'train_dataloader.batch_size=8', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=1', 'val_cfg.label_free=None',
        'test_cfg.label_free=None', 'custom_hooks=[]',
        'default_hooks.checkpoint.interval=2',
        f'val_dataloader.dataset.data_prefix={root}/val',
        f'test_dataloader.dataset.data_prefix={root}'
    ]
    benchmark.main([
        str(out), 'tiny', MNIST_DFAD, '--teacher-top1', '98.0', '--seeds', '0',
        '--work-dir',
        str(tmp_path / 'work'), '--dataset', 'MNIST', '--cfg-options', *options
    ])
    # One test, after the last iteration, of the runner that validated on
    # the validation split.
    assert tests == [2]
    runner = tested_runners[0]
    assert runner.val_dataloader.dataset.data_prefix['root'] == f'{root}/val'
    assert runner.test_dataloader.dataset.data_prefix['root'] == root
    assert len(runner.val_dataloader.dataset) == 8  # held out of 16
    assert len(runner.test_dataloader.dataset) == 16
    run, = load_results(str(out)).runs
    assert run.split == 'test'
    assert [step for step, _ in run.validations] == [1, 2]
    assert run.extra['validations_split'] == 'val'
    assert 'best_val_selected' in run.extra
    assert 'best_test_selected' not in run.extra
    # A finished run recorded from its work dir: tools/test.py on its
    # newest checkpoint, once, gives the same test number.
    again = tmp_path / 'again.json'
    benchmark.main([
        str(again), 'tiny', MNIST_DFAD, '--teacher-top1', '98.0', '--seeds',
        '0', '--dataset', 'MNIST', '--from-work-dirs',
        str(tmp_path / 'work' / 'tiny' / 'seed0'), '--cfg-options', *options
    ])
    assert len(tests) == 2  # one more: this run's one test
    recorded, = load_results(str(again)).runs
    assert recorded.split == 'test'
    assert recorded.metrics == run.metrics


def test_record_exploration_records_a_segmentation_run_from_val_only(
        tmp_path, monkeypatch):
    # A finished segmentation run: two validations (the validation
    # canvases) in scalars.json, a log with timestamps, its provenance.
    run_dir = tmp_path / 'work' / '20261208_010000'
    (run_dir / 'vis_data').mkdir(parents=True)
    rows = [
        dict(step=5, loss=1.0),
        dict(
            step=100,
            mIoU=11.6,
            mIoU_things=0.97,
            **{'teacher_student/mIoU_vs_teacher': 9.4}),
        dict(
            step=200,
            mIoU=12.5,
            mIoU_things=1.67,
            **{'teacher_student/mIoU_vs_teacher': 8.9})
    ]
    (run_dir / 'vis_data' /
     'scalars.json').write_text('\n'.join(json.dumps(row)
                                          for row in rows) + '\n')
    (run_dir / '20261208_010000.log').write_text(
        '2026/12/08 01:00:00 - mmengine - INFO - start\n'
        '2026/12/08 01:10:30 - mmengine - INFO - end\n')
    (tmp_path / 'work' / 'run_provenance.json').write_text(
        json.dumps(
            dict(starts=[dict(commit='abc', threads=1, machine='2 CPU cores')
                         ])))
    results = tmp_path / 'scenes_exploration.json'
    monkeypatch.setattr(sys, 'argv', [
        'record_exploration.py',
        str(results), 'lever',
        str(tmp_path / 'work'), 'configs/x.py', '--seed', '0', '--description',
        'a lever', '--teacher-miou', '66.5', '--dataset',
        'Fashion-MNIST scenes'
    ])
    load_script('record_exploration.py').main()
    run, = load_results(str(results)).runs
    assert run.split == 'val'
    assert run.metrics == dict(
        student_mIoU=12.5, student_mIoU_things=1.67, fidelity_mIoU=8.9)
    assert [step for step, _ in run.validations] == [100, 200]
    assert run.extra['best_val_selected'] == dict(student_mIoU=12.5)
    assert run.teacher_metrics == dict(teacher_mIoU=66.5)
    assert (run.commit, run.threads, run.wall_time_s) == ('abc', 1, 630.0)
