# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""One DFAD run end to end, as ``make demo`` and the benchmarks run it:
train (validating on the validation split, held out from the training
images), test once at the final iteration (the test split's real metrics
and the label-free score), export the student, plot the curves."""
import glob
import os.path as osp
import time
from typing import Dict, Optional, Sequence

from mmengine.hooks import EarlyStoppingHook

from mmrazor_dfad.evaluation import read_validations, select
from mmrazor_dfad.visualization import plot_curves
from .export import export_student
from .test import final_test
from .train import main as train_main

# The label-free score reported beside the real accuracy: teacher-student
# agreement on the generated bank (docs/label_free_evaluation.md).
LABEL_FREE_SCORE = 'label_free/agreement'


def describe_stop(iteration: int,
                  max_iters: int,
                  early_stopping: Optional[Dict] = None,
                  patience: Optional[int] = None,
                  min_delta: Optional[float] = None) -> Dict:
    """When and why training stopped.

    Args:
        iteration (int): The iteration training ended at.
        max_iters (int): The schedule's last iteration.
        early_stopping (dict, optional): What
            :class:`LabelFreeEarlyStoppingHook` leaves in the message hub's
            ``'early_stopping'`` info (``monitor``, ``best_score``,
            ``best_iter``, ``wait_count``); ``None`` when the run had no
            early stopping, or it never saw its metric.
        patience (int, optional): The hook's ``patience``.
        min_delta (float, optional): The hook's ``min_delta``.

    Returns:
        dict: ``reason`` (``'early_stopping'`` or ``'end_of_schedule'``),
        ``iteration``, ``max_iters``, the early stopping state (``monitor``,
        ``best_score``, ``best_iter``, ``wait_count``, ``patience``,
        ``min_delta``, ``None`` without it) and ``message``, one sentence
        saying it.
    """
    info = dict(early_stopping or {})
    stop = dict(
        reason='early_stopping'
        if iteration < max_iters else 'end_of_schedule',
        iteration=iteration,
        max_iters=max_iters,
        monitor=info.get('monitor'),
        best_score=info.get('best_score'),
        best_iter=info.get('best_iter'),
        wait_count=info.get('wait_count'),
        patience=patience,
        min_delta=None if min_delta is None else abs(min_delta))
    if info:
        state = (f"{stop['monitor']} best {stop['best_score']:.2f} at iter "
                 f"{stop['best_iter']}, {stop['wait_count']} of "
                 f'patience={patience} validations without an improvement '
                 f"of more than {stop['min_delta']}")
    if stop['reason'] == 'end_of_schedule':
        stop['message'] = (f'end of the schedule at iter {iteration} of '
                           f'{max_iters}')
        if info:
            stop['message'] += f' (early stopping did not trigger: {state})'
        elif patience is not None:
            stop['message'] += ' (early stopping never saw its metric)'
    elif info:
        stop['message'] = (f'early stopping at iter {iteration} of '
                           f'{max_iters}: {state}')
    else:
        stop['message'] = (f'stopped at iter {iteration} of {max_iters} '
                           '(not by early stopping)')
    return stop


def training_stop(runner) -> Dict:
    """:func:`describe_stop` of a trained runner.

    Args:
        runner (Runner): The runner after ``train()``.

    Returns:
        dict: See :func:`describe_stop`.
    """
    hook = next((h for h in runner.hooks if isinstance(h, EarlyStoppingHook)),
                None)
    return describe_stop(
        runner.iter, runner.max_iters,
        runner.message_hub.get_info('early_stopping') if hook else None,
        getattr(hook, 'patience', None), getattr(hook, 'min_delta', None))


def distill_and_report(config: str,
                       work_dir: str,
                       seed: int,
                       cfg_options: Optional[Sequence[str]] = None) -> Dict:
    """Train one DFAD run, test it, export its student and plot it.

    Validations read the config's validation split (held out from the
    training images); nothing here selects on the test split. After
    training, teacher and student are evaluated once by the runner's test
    loop on the test split (the config's metrics: real top-1/top-5, teacher
    top-1, agreement, and the label-free signals on the generated bank), at
    the final iteration.

    Args:
        config (str): The DFAD config.
        work_dir (str): The run's work dir; the exported student
            (``student_lenet5half.pth`` + ``.py``) and ``curves.png`` go
            there too.
        seed (int): ``randomness.seed``.
        cfg_options (Sequence[str], optional): More ``key=value``
            overrides.

    Returns:
        dict: ``split`` (``'test'``, of the final metrics) and the test
        split's teacher/student top-1, ratio and agreement at the final
        iteration; when and why training stopped (``stop``, see
        :func:`describe_stop`); on the validation split (``val_split``:
        ``'val'``), the best student top-1 over validations and the top-1 of
        the validation a label-free selection would keep; the label-free
        agreement of the final student, wall time, paths of what was
        written.
    """
    options = [f'randomness.seed={seed}'] + list(cfg_options or [])
    start = time.time()
    runner = train_main(
        [config, '--work-dir', work_dir, '--cfg-options', *options])
    wall_time = time.time() - start
    stop = training_stop(runner)
    checkpoint = osp.join(work_dir, f'iter_{runner.iter}.pth')
    if not osp.isfile(checkpoint):
        # Stopped early between two checkpoints.
        runner.save_checkpoint(
            work_dir, osp.basename(checkpoint), by_epoch=False)
    # The one read of the test split, at the final iteration.
    metrics = final_test(runner)
    validations = [
        row for row in read_validations(work_dir) if 'accuracy/top1' in row
    ]
    label_free = [row for row in validations if LABEL_FREE_SCORE in row]
    selected = select(label_free, LABEL_FREE_SCORE,
                      'greater') if label_free else None
    exported = export_student(config, checkpoint,
                              osp.join(work_dir, 'student_lenet5half.pth'))
    curves = plot_curves(work_dir, osp.join(work_dir, 'curves.png'))
    return dict(
        config=config,
        seed=seed,
        iterations=runner.iter,
        stop=stop,
        split='test',
        teacher_top1=metrics['teacher_student/teacher_top1'],
        student_top1_final=metrics['accuracy/top1'],
        student_top5_final=metrics.get('accuracy/top5'),
        val_split='val',
        student_val_top1_best=max(
            r['accuracy/top1'] for r in validations) if validations else None,
        ratio=metrics['accuracy/top1'] /
        metrics['teacher_student/teacher_top1'],
        agreement=metrics['teacher_student/agreement'],
        label_free_score=metrics.get(LABEL_FREE_SCORE),
        label_free_selected_step=selected['step'] if selected else None,
        label_free_selected_val_top1=selected['accuracy/top1']
        if selected else None,
        num_test_images=len(runner.test_dataloader.dataset),
        num_val_images=len(runner.val_dataloader.dataset)
        if runner.val_loop is not None else None,
        wall_time_s=wall_time,
        checkpoint=checkpoint,
        student_checkpoint=exported['checkpoint'],
        student_config=exported['config'],
        samples=glob.glob(
            osp.join(work_dir, '*', 'vis_data', 'vis_image',
                     'generated_samples_*.png')),
        curves=curves)
