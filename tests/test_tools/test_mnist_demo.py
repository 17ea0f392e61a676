# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The main job's config stops on a label-free score, and its summary says
when and why training stopped (tools/misc/mnist_demo.py); no training."""
import importlib.util
import os.path as osp
from types import SimpleNamespace

from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger

from mmrazor_dfad.apis.distill import describe_stop, training_stop
from mmrazor_dfad.engine import LabelFreeEarlyStoppingHook

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                       'dfad_logits_lenet5_lenet5half_1xb256_mnist-demo.py')


def load_demo_script():
    spec = importlib.util.spec_from_file_location(
        'mnist_demo_script',
        osp.join(REPO_ROOT, 'tools', 'misc', 'mnist_demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_runs_its_own_config_with_label_free_early_stopping():
    assert osp.samefile(load_demo_script().CONFIG, DEMO_CONFIG)
    cfg = Config.fromfile(DEMO_CONFIG)
    hooks = [
        hook for hook in cfg.custom_hooks
        if hook.type == 'LabelFreeEarlyStoppingHook'
    ]
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook.rule in ('greater', 'less') and hook.patience >= 1
    # The monitor is a metric of a label-free source of the validation loop
    # (the generated bank), never of the labelled test split.
    prefixes = [source.evaluator.prefix for source in cfg.val_cfg.label_free]
    assert hook.monitor.split('/')[0] in prefixes
    assert not hook.monitor.startswith(('accuracy', 'teacher_student'))
    # The run has a checkpoint at whichever validation stops it, and the
    # schedule ends at a validation.
    interval = cfg.train_cfg.val_interval
    assert cfg.default_hooks.checkpoint.interval == interval
    assert cfg.train_cfg.max_iters % interval == 0
    assert cfg.param_scheduler.architecture.T_max == cfg.train_cfg.max_iters


def fake_runner(iteration, max_iters, hook, hub_name):
    return SimpleNamespace(
        iter=iteration,
        max_iters=max_iters,
        hooks=[hook],
        train_loop=SimpleNamespace(stop_training=False),
        logger=MMLogger.get_instance(f'{hub_name}_logger'),
        message_hub=MessageHub.get_instance(hub_name))


def test_summary_says_early_stopping_with_metric_best_and_patience():
    hook = LabelFreeEarlyStoppingHook(
        monitor='label_free/agreement',
        rule='greater',
        min_delta=0.1,
        patience=3)
    scores = [90.0, 97.5, 97.55, 97.5, 97.4]
    for step, score in enumerate(scores, 1):
        runner = fake_runner(50 * step, 400, hook, 'mnist_demo_stop')
        hook.after_val_epoch(runner, {'label_free/agreement': score})
    assert runner.train_loop.stop_training
    stop = training_stop(runner)
    assert stop['reason'] == 'early_stopping'
    assert (stop['iteration'], stop['max_iters']) == (250, 400)
    assert stop['monitor'] == 'label_free/agreement'
    assert (stop['best_score'], stop['best_iter']) == (97.5, 100)
    assert (stop['patience'], stop['wait_count']) == (3, 3)
    assert stop['message'] == (
        'early stopping at iter 250 of 400: label_free/agreement best 97.50 '
        'at iter 100, 3 of patience=3 validations without an improvement of '
        'more than 0.1')


def test_summary_says_end_of_schedule():
    hook = LabelFreeEarlyStoppingHook(
        monitor='label_free/agreement', rule='greater', patience=3)
    runner = fake_runner(400, 400, hook, 'mnist_demo_end')
    hook.after_val_epoch(runner, {'label_free/agreement': 98.0})
    stop = training_stop(runner)
    assert stop['reason'] == 'end_of_schedule'
    assert stop['message'].startswith('end of the schedule at iter 400 of '
                                      '400 (early stopping did not trigger')
    # Without an early stopping hook, only the schedule.
    assert describe_stop(1200, 1200) == dict(
        reason='end_of_schedule',
        iteration=1200,
        max_iters=1200,
        monitor=None,
        best_score=None,
        best_iter=None,
        wait_count=None,
        patience=None,
        min_delta=None,
        message='end of the schedule at iter 1200 of 1200')
