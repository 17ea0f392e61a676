# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The main job (`make demo`): distill LeNet-5-half from the shipped MNIST
LeNet-5 teacher without training data, on the CPU, and report.

Steps: prepare MNIST if ``data/mnist`` is missing; train
``configs/dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py``; evaluate teacher and
student with the runner's test loop (real test split, and the label-free
score on generated images beside it); export the student as a plain MMCls
checkpoint; plot losses and accuracy. Leaves in the work dir: the DFAD
checkpoint, ``student_lenet5half_mnist.pth`` (+ ``.py``), ``samples/*.png``
(generated images), ``curves.png`` and ``demo_summary.json``.

    python tools/misc/mnist_demo.py [--work-dir work_dirs/mnist_demo]
        [--seed 0] [--cfg-options ...]
"""
import argparse
import json
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'dfad',
                  'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
for folder in ('tools', 'tools/dataset_converters', 'tools/model_converters',
               'tools/analysis_tools'):
    sys.path.insert(0, osp.join(REPO, folder))

import mmrazor_dfad  # noqa: E402,F401
from mmengine.config import Config, DictAction  # noqa: E402

# The label-free score printed beside the real accuracy: teacher-student
# agreement on the generated bank (docs/label_free_evaluation.md).
LABEL_FREE_SCORE = 'label_free/agreement'


def distill_and_report(config: str, work_dir: str, seed: int,
                       cfg_options=None) -> dict:
    """Train one DFAD run and evaluate it (used by the demo and benchmark).

    Teacher and student are evaluated by the runner's test loop (the
    config's metrics: real top-1/top-5, teacher top-1, agreement, and the
    label-free signals on the generated bank).

    Returns:
        dict: teacher/student top-1, ratio, agreement, best student top-1
        over validations, the label-free agreement of the final student and
        the real top-1 of the validation a label-free selection would keep,
        wall time, paths of what was written.
    """
    import train
    from export_student import export_student
    from plot_curves import plot_curves

    from mmrazor_dfad.evaluation import read_validations, select
    from mmrazor_dfad.utils import checkpoint_safe_globals

    options = [f'randomness.seed={seed}'] + list(cfg_options or [])
    start = time.time()
    runner = train.main([config, '--work-dir', work_dir, '--cfg-options',
                         *options])
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
    exported = export_student(
        config, checkpoint, osp.join(work_dir, 'student_lenet5half.pth'))
    curves = plot_curves(work_dir, osp.join(work_dir, 'curves.png'))
    return dict(
        config=osp.relpath(config, REPO),
        seed=seed,
        iterations=runner.iter,
        teacher_top1=metrics['teacher_student/teacher_top1'],
        student_top1_final=metrics['accuracy/top1'],
        student_top5_final=metrics.get('accuracy/top5'),
        student_top1_best=max(r['accuracy/top1'] for r in validations)
        if validations else None,
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
        samples=osp.join(work_dir, 'samples'),
        curves=curves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/mnist_demo')
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args()

    data_root = Config.fromfile(args.config).val_dataloader.dataset.data_prefix
    if not osp.isfile(osp.join(data_root, 't10k-images-idx3-ubyte')):
        import prepare_mnist
        prepare_mnist.main(['--out', data_root])
    summary = distill_and_report(args.config, args.work_dir, args.seed,
                                 args.cfg_options)
    with open(osp.join(args.work_dir, 'demo_summary.json'), 'w') as file:
        json.dump(summary, file, indent=2)
    print('\n=== DFAD on MNIST, no training data (2 CPU cores) ===')
    print(f"teacher  LeNet-5      top-1: {summary['teacher_top1']:.2f}")
    print(f"student  LeNet-5-half top-1: {summary['student_top1_final']:.2f}"
          f" (final iteration {summary['iterations']})")
    print(f"student / teacher ratio    : {summary['ratio']:.4f}")
    print(f"teacher-student agreement  : {summary['agreement']:.2f} % "
          '(real test images)')
    if summary['label_free_score'] is not None:
        print(f"label-free score           : {summary['label_free_score']:.2f}"
              f' % ({LABEL_FREE_SCORE}, generated images, no labels)')
        print('label-free selection       : validation at iter '
              f"{summary['label_free_selected_step']}, real top-1 "
              f"{summary['label_free_selected_top1']:.2f} (best "
              f"{summary['student_top1_best']:.2f}, final "
              f"{summary['student_top1_final']:.2f})")
    print(f"wall time (training)       : {summary['wall_time_s']:.0f} s")
    print(f"outputs in {args.work_dir}: checkpoint, "
          f"{osp.basename(summary['student_checkpoint'])}, samples/, "
          'curves.png, demo_summary.json')


if __name__ == '__main__':
    main()
