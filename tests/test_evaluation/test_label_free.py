# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Teacher-student metrics, the generated bank, the data-free loops, label-free
selection and early stopping (docs/label_free_evaluation.md)."""
import glob
import json
import math
import os
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import MessageHub, MMLogger

from mmrazor_dfad.datasets import GeneratedBankDataset
from mmrazor_dfad.engine import LabelFreeEarlyStoppingHook
from mmrazor_dfad.evaluation import (TeacherStudentMetric,
                                     class_histogram_entropy,
                                     teacher_student_statistics)
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import free_port

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
NODATA_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'dfad',
    'dfad_logits_lenet5_lenet5half_1xb256_mnist-nodata.py')
TEACHER = osp.join(REPO_ROOT, 'checkpoints', 'lenet5_mnist.pth')


def one_hot_logits(classes, num_classes=4, scale=5.0):
    return torch.nn.functional.one_hot(torch.tensor(classes),
                                       num_classes).float() * scale


def test_perfect_agreement_is_100_and_no_discrepancy():
    logits = one_hot_logits([0, 1, 2, 3])
    stats = teacher_student_statistics(logits, logits.clone())
    assert stats['agreement'] == 100.0
    assert stats['balanced_agreement'] == 100.0
    assert stats['l1'] == 0.0
    assert stats['kl'] == pytest.approx(0.0, abs=1e-12)
    # Four images, four classes, one each: a uniform histogram.
    assert stats['teacher_class_entropy'] == pytest.approx(1.0)
    assert 'teacher_top1' not in stats


def test_disagreement_on_a_known_fraction():
    teacher = one_hot_logits([0, 0, 0, 1])
    student = one_hot_logits([0, 0, 2, 2])
    stats = teacher_student_statistics(
        student, teacher, gt_labels=torch.tensor([0, 0, 0, 3]))
    assert stats['agreement'] == 50.0
    # Class 0: 2 of 3 agree, class 1: 0 of 1.
    assert stats['balanced_agreement'] == pytest.approx(100.0 / 3)
    # Two images differ by 5 in two of four logits: 20 / 16.
    assert stats['l1'] == pytest.approx(20.0 / 16)
    assert stats['teacher_top1'] == 75.0
    probs = torch.tensor([3 / 4, 1 / 4])
    expected = float(-(probs * probs.log()).sum() / math.log(4))
    assert stats['teacher_class_entropy'] == pytest.approx(expected)
    assert stats['student_class_entropy'] == pytest.approx(
        1.0 / 2)  # two classes of four, equally often: log 2 / log 4


def test_class_entropy_is_zero_for_one_class():
    assert class_histogram_entropy(torch.tensor([3, 3, 3]), 10) == 0.0


def test_confident_agreement_counts_confident_teacher_images_only():
    teacher = torch.tensor([[10.0, 0.0], [0.1, 0.0]])  # confident, unsure
    student = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    stats = teacher_student_statistics(student, teacher)
    assert stats['agreement'] == 50.0
    assert stats['confident_agreement'] == 100.0


def test_metric_reads_data_samples_and_prefixes_keys():
    from mmcls.structures import ClsDataSample
    samples = []
    for teacher_class, student_class in [(0, 0), (1, 1), (1, 0), (2, 2)]:
        sample = ClsDataSample().set_gt_label(teacher_class)
        sample.set_field(one_hot_logits(student_class), 'student_logits')
        sample.set_field(one_hot_logits(teacher_class), 'teacher_logits')
        samples.append(sample)
    evaluator = Evaluator(TeacherStudentMetric(prefix='label_free'))
    evaluator.process(samples)
    metrics = evaluator.evaluate(4)
    assert metrics['label_free/agreement'] == 75.0
    assert metrics['label_free/teacher_top1'] == 100.0


def test_bank_is_fixed_and_does_not_depend_on_the_batch_split(
        toy_algorithm_cfg):
    model = MODELS.build(toy_algorithm_cfg).eval()
    bank = GeneratedBankDataset(num_images=6, seed=3)
    items = [bank[i] for i in range(6)]

    def batch(part):
        return {key: [item[key] for item in part] for key in part[0]}

    whole = model.val_step(batch(items))
    split = model.val_step(batch(items[:2])) + model.val_step(batch(items[2:]))
    again = model.val_step(batch(items))
    for a, b, c in zip(whole, split, again):
        assert torch.allclose(a.student_logits, b.student_logits, atol=1e-6)
        assert torch.equal(a.teacher_logits, c.teacher_logits)
    other_seed = model.val_step(
        batch([GeneratedBankDataset(6, seed=4)[i] for i in range(6)]))
    assert not torch.allclose(whole[0].teacher_logits,
                              other_seed[0].teacher_logits)
    # Training draws from the generator's own stream: the bank is untouched.
    state = model.generator._rng().get_state()
    model.val_step(batch(items))
    assert torch.equal(state, model.generator._rng().get_state())


def fake_runner(iteration):
    return SimpleNamespace(
        iter=iteration,
        max_iters=100,
        train_loop=SimpleNamespace(stop_training=False),
        logger=MMLogger.get_instance(f'label_free_{iteration}'),
        message_hub=MessageHub.get_instance(f'label_free_hub_{iteration}'))


def test_early_stopping_triggers_on_a_flat_score(caplog):
    hook = LabelFreeEarlyStoppingHook(
        monitor='label_free/agreement', rule='greater', patience=3)
    stopped_at = None
    for iteration in range(100, 1000, 100):
        runner = fake_runner(iteration)
        hook.after_val_epoch(runner, {'label_free/agreement': 80.0})
        if runner.train_loop.stop_training:
            stopped_at = iteration
            break
    # Best at the first validation, then 3 without improvement.
    assert stopped_at == 400
    assert hook.best_iter == 100


def run_tool(args, cwd, extra_env=None):
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    env['PYTHONPATH'] = REPO_ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env.update(extra_env or {})
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def logged_test_metrics(log_dir):
    """Metrics of the last test run logged in a work dir."""
    path = sorted(glob.glob(osp.join(log_dir, '*', '*.json')))[-1]
    with open(path) as file:
        return json.loads(file.readlines()[-1])


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


def test_no_data_config_trains_selects_stops_exports_and_tests(tmp_path):
    # cwd has no data/ folder: nothing real can be read.
    work = tmp_path / 'work'
    result = run_tool([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'), NODATA_CONFIG, '--work-dir',
        str(work), '--cfg-options', *NODATA_OPTIONS
    ],
                      cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / 'data').exists()
    log = open(glob.glob(str(work / '*' / '*.log'))[0]).read()
    assert 'label_free/agreement' in log
    assert 'Early stopping at iter 3 of 10: label_free/agreement has not ' \
        'improved' in log
    best = glob.glob(str(work / 'best_label_free_agreement_iter_*.pth'))
    # One best checkpoint, of one of the 3 validations, which says what
    # chose it.
    assert len(best) == 1
    meta = torch.load(best[0], weights_only=False)['meta']
    assert best[0].endswith(f"_iter_{meta['iter']}.pth") and meta['iter'] <= 3
    selected = meta['best_checkpoint'][0]
    assert selected['metric'] == 'label_free/agreement'
    assert selected['rule'] == 'greater'
    assert selected['checkpoint'] == osp.basename(best[0])
    assert f"{selected['score']:0.4f} label_free/agreement" in log

    out = tmp_path / 'student.pth'
    result = run_tool([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'model_converters', 'export_student.py'),
        NODATA_CONFIG,
        str(work),
        str(out), '--best'
    ],
                      cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'selected by label_free/agreement' in result.stdout
    exported = torch.load(out, weights_only=False)['meta']
    assert exported['best_checkpoint'][0]['metric'] == 'label_free/agreement'

    # tools/test.py reports the label-free metrics with no dataset; two gloo
    # processes give the values of one on the same bank.
    test_options = [
        f'model.teachers.lenet5.ckpt_path={TEACHER}',
        'test_dataloader.dataset.num_images=18', 'test_dataloader.batch_size=4'
    ]
    single = run_tool([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'test.py'), NODATA_CONFIG, best[0],
        '--work-dir',
        str(tmp_path / 'test1'), '--cfg-options', *test_options
    ],
                      cwd=str(tmp_path))
    assert single.returncode == 0, single.stderr[-3000:]
    two = run_tool([
        'bash',
        osp.join(REPO_ROOT, 'tools', 'dist_test.sh'), NODATA_CONFIG, best[0],
        '2', '--work-dir',
        str(tmp_path / 'test2'), '--cfg-options', *test_options
    ],
                   cwd=str(tmp_path),
                   extra_env=dict(PORT=str(free_port())))
    assert two.returncode == 0, two.stderr[-3000:]
    # The real-data config with --label-free: the same bank, no dataset.
    real_config = run_tool([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'test.py'),
        NODATA_CONFIG.replace('_mnist-nodata.py', '_mnist.py'), best[0],
        '--label-free', '--work-dir',
        str(tmp_path / 'test3'), '--cfg-options', *test_options
    ],
                           cwd=str(tmp_path))
    assert real_config.returncode == 0, real_config.stderr[-3000:]
    one_process = logged_test_metrics(str(tmp_path / 'test1'))
    assert logged_test_metrics(
        str(tmp_path / 'test3'
            ))['label_free/agreement'] == one_process['label_free/agreement']
    two_processes = logged_test_metrics(str(tmp_path / 'test2'))
    keys = [k for k in one_process if k.startswith('label_free/')]
    assert 'label_free/agreement' in keys and 'label_free/l1' in keys
    for key in keys:
        assert two_processes[key] == pytest.approx(
            one_process[key], rel=1e-6, abs=1e-9), key
