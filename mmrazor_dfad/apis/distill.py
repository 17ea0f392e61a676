# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""One DFAD run end to end, as ``make demo`` and the benchmarks run it:
train, test (real metrics and the label-free score), export the student,
plot the curves."""
import glob
import os.path as osp
import time
from typing import Dict, Optional, Sequence

from mmrazor_dfad.evaluation import read_validations, select
from mmrazor_dfad.utils import checkpoint_safe_globals
from mmrazor_dfad.visualization import plot_curves
from .export import export_student
from .train import main as train_main

# The label-free score reported beside the real accuracy: teacher-student
# agreement on the generated bank (docs/label_free_evaluation.md).
LABEL_FREE_SCORE = 'label_free/agreement'


def distill_and_report(config: str,
                       work_dir: str,
                       seed: int,
                       cfg_options: Optional[Sequence[str]] = None) -> Dict:
    """Train one DFAD run, test it, export its student and plot it.

    Teacher and student are evaluated by the runner's test loop (the
    config's metrics: real top-1/top-5, teacher top-1, agreement, and the
    label-free signals on the generated bank).

    Args:
        config (str): The DFAD config.
        work_dir (str): The run's work dir; the exported student
            (``student_lenet5half.pth`` + ``.py``) and ``curves.png`` go
            there too.
        seed (int): ``randomness.seed``.
        cfg_options (Sequence[str], optional): More ``key=value``
            overrides.

    Returns:
        dict: teacher/student top-1, ratio, agreement, best student top-1
        over validations, the label-free agreement of the final student and
        the real top-1 of the validation a label-free selection would keep,
        wall time, paths of what was written.
    """
    options = [f'randomness.seed={seed}'] + list(cfg_options or [])
    start = time.time()
    runner = train_main(
        [config, '--work-dir', work_dir, '--cfg-options', *options])
    wall_time = time.time() - start
    with checkpoint_safe_globals():
        metrics = runner.test()
    validations = [
        row for row in read_validations(work_dir) if 'accuracy/top1' in row
    ]
    label_free = [row for row in validations if LABEL_FREE_SCORE in row]
    selected = select(label_free, LABEL_FREE_SCORE,
                      'greater') if label_free else None
    checkpoint = osp.join(work_dir, f'iter_{runner.iter}.pth')
    exported = export_student(config, checkpoint,
                              osp.join(work_dir, 'student_lenet5half.pth'))
    curves = plot_curves(work_dir, osp.join(work_dir, 'curves.png'))
    return dict(
        config=config,
        seed=seed,
        iterations=runner.iter,
        teacher_top1=metrics['teacher_student/teacher_top1'],
        student_top1_final=metrics['accuracy/top1'],
        student_top5_final=metrics.get('accuracy/top5'),
        student_top1_best=max(r['accuracy/top1']
                              for r in validations) if validations else None,
        ratio=metrics['accuracy/top1'] /
        metrics['teacher_student/teacher_top1'],
        agreement=metrics['teacher_student/agreement'],
        label_free_score=metrics.get(LABEL_FREE_SCORE),
        label_free_selected_step=selected['step'] if selected else None,
        label_free_selected_top1=selected['accuracy/top1']
        if selected else None,
        num_test_images=len(runner.test_dataloader.dataset),
        wall_time_s=wall_time,
        checkpoint=checkpoint,
        student_checkpoint=exported['checkpoint'],
        student_config=exported['config'],
        samples=glob.glob(
            osp.join(work_dir, '*', 'vis_data', 'vis_image',
                     'generated_samples_*.png')),
        curves=curves)
