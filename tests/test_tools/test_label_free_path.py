# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The no-data path (docs/label_free_evaluation.md): the no-data config
trains in a folder without data, validates on label-free scores only,
keeps the best checkpoint by one and stops early; the best is exported and
tested with no dataset, by one process or two.

One training (in this process) is shared; the end-to-end test runs the
two-process test command line on it."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch

from mmrazor_dfad.apis import export as export_tool
from mmrazor_dfad.testing import free_port
from mmrazor_dfad.testing._internal.tool_runs import (log_of, run_test,
                                                      run_train)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NODATA_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_logits_lenet5_lenet5half_1xb256_mnist-nodata.py')
TEACHER = osp.join(REPO_ROOT, 'checkpoints', 'lenet5_mnist.pth')
NODATA_OPTIONS = [
    f'model.teachers.lenet5.ckpt_path={TEACHER}',
    'train_dataloader.batch_size=8',
    'train_cfg.max_iters=10',
    'train_cfg.val_interval=1',
    'val_dataloader.batch_size=4',
    'val_dataloader.dataset.num_images=16',
    'custom_hooks.0.interval=100',
    # Nothing counts as an improvement: a flat score, so training stops
    # after the patience.
    'custom_hooks.1.min_delta=1000',
    'custom_hooks.1.patience=2'
]
TEST_OPTIONS = [
    f'model.teachers.lenet5.ckpt_path={TEACHER}',
    'test_dataloader.dataset.num_images=18', 'test_dataloader.batch_size=4'
]


@pytest.fixture(scope='module')
def no_data_run(tmp_path_factory):
    """The no-data training, in a folder with no ``data/``: its folder, work
    dir, log and best checkpoint."""
    folder = tmp_path_factory.mktemp('no_data')
    work = folder / 'work'
    runner = run_train([
        NODATA_CONFIG, '--work-dir',
        str(work), '--cfg-options', *NODATA_OPTIONS
    ],
                       cwd=str(folder))
    best = glob.glob(str(work / 'best_label_free_agreement_iter_*.pth'))
    return SimpleNamespace(
        folder=folder, work=work, log=log_of(runner), best=best)


def single_process_metrics(checkpoint, work_dir, config=NODATA_CONFIG, *extra):
    return run_test([
        config, checkpoint, *extra, '--work-dir',
        str(work_dir), '--cfg-options', *TEST_OPTIONS
    ],
                    cwd=str(work_dir.parent))


@pytest.mark.integration
def test_no_data_config_selects_by_a_label_free_score_and_stops_early(
        no_data_run):
    assert not (no_data_run.folder / 'data').exists()
    log = no_data_run.log
    assert 'label_free/agreement' in log
    assert 'Early stopping at iter 3 of 10: label_free/agreement has not ' \
        'improved' in log
    # One best checkpoint, of one of the 3 validations, which says what
    # chose it.
    assert len(no_data_run.best) == 1
    best = no_data_run.best[0]
    meta = torch.load(best, weights_only=False)['meta']
    assert best.endswith(f"_iter_{meta['iter']}.pth") and meta['iter'] <= 3
    selected = meta['best_checkpoint'][0]
    assert selected['metric'] == 'label_free/agreement'
    assert selected['rule'] == 'greater'
    assert selected['checkpoint'] == osp.basename(best)
    assert f"{selected['score']:0.4f} label_free/agreement" in log


@pytest.mark.integration
def test_the_best_checkpoint_exports_and_tests_with_no_dataset(
        no_data_run, tmp_path, capsys):
    out = tmp_path / 'student.pth'
    export_tool.main(
        [NODATA_CONFIG,
         str(no_data_run.work),
         str(out), '--best'])
    assert 'selected by label_free/agreement' in capsys.readouterr().out
    exported = torch.load(out, weights_only=False)['meta']
    assert exported['best_checkpoint'][0]['metric'] == 'label_free/agreement'

    # tools/test.py reports the label-free metrics with no dataset, and the
    # real-data config with --label-free the same on the same bank.
    best = no_data_run.best[0]
    no_data = single_process_metrics(best, tmp_path / 'no_data')
    assert 'label_free/agreement' in no_data and 'label_free/l1' in no_data
    real_config = single_process_metrics(
        best, tmp_path / 'real_config',
        NODATA_CONFIG.replace('_mnist-nodata.py', '_mnist.py'), '--label-free')
    assert real_config['label_free/agreement'] == \
        no_data['label_free/agreement']


def run_tool(args, cwd, extra_env=None):
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env.update(extra_env or {})
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def logged_test_metrics(log_dir):
    """Metrics of the last test run logged in a work dir."""
    path = sorted(glob.glob(osp.join(log_dir, '*', '*.json')))[-1]
    with open(path) as file:
        return json.loads(file.readlines()[-1])


@pytest.mark.e2e
def test_no_data_path_exports_the_best_and_two_processes_test_like_one(
        no_data_run, tmp_path):
    # Train (shared), export the best, test it with tools/dist_test.sh on
    # two processes, in a folder with no data/ (the export command line:
    # test_mnist_tools.py).
    out = tmp_path / 'student.pth'
    export_tool.main(
        [NODATA_CONFIG,
         str(no_data_run.work),
         str(out), '--best'])
    assert torch.load(out, weights_only=False)['meta']['best_checkpoint']
    best = no_data_run.best[0]
    two = run_tool([
        'bash',
        osp.join(REPO_ROOT, 'tools', 'dist_test.sh'), NODATA_CONFIG, best, '2',
        '--work-dir',
        str(tmp_path / 'two'), '--cfg-options', *TEST_OPTIONS
    ],
                   str(no_data_run.folder),
                   extra_env=dict(PORT=str(free_port())))
    assert two.returncode == 0, two.stderr[-3000:]
    assert not (no_data_run.folder / 'data').exists()
    two_processes = logged_test_metrics(str(tmp_path / 'two'))
    one_process = single_process_metrics(best, tmp_path / 'one')
    keys = [k for k in one_process if k.startswith('label_free/')]
    assert 'label_free/agreement' in keys and 'label_free/l1' in keys
    for key in keys:
        assert two_processes[key] == pytest.approx(
            one_process[key], rel=1e-6, abs=1e-9), key
