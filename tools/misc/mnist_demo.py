# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The main job (`make demo`): distill LeNet-5-half from the shipped MNIST
LeNet-5 teacher without training data, on the CPU, and report.

Steps: prepare MNIST if ``data/mnist`` or its validation split
``data/mnist/val`` is missing; train
``configs/dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist-demo.py`` (the
MNIST recipe with 500-iteration cosine schedules and label-free early
stopping; the validations read the validation split, held out from the
training images, for the curves only); evaluate teacher and student once,
after training, with the runner's test loop (real test split, and the
label-free score on generated images beside it);
export the student for MMCls (its checkpoint, a config and the source of
its LeNet-5-half backbone, which MMCls's ``LeNet5`` cannot express, so that
it loads without ``mmrazor_dfad``); plot losses and accuracy.
The summary says when and why training stopped. Leaves in the work dir:
the DFAD checkpoint, ``student_lenet5half.pth`` (+ ``.py``), the grids of
generated images (``<timestamp>/vis_data/vis_image/``), ``curves.png`` and
``demo_summary.json``.

    python tools/misc/mnist_demo.py [--work-dir work_dirs/mnist_demo]
        [--seed 0] [--cfg-options ...]
"""
import argparse
import json
import os.path as osp

from mmengine.config import Config

from mmrazor_dfad.apis.distill import LABEL_FREE_SCORE, distill_and_report
from mmrazor_dfad.datasets.preparation import mnist

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'dfad',
                  'dfad_logits_lenet5_lenet5half_1xb256_mnist-demo.py')


def main() -> None:
    """Prepare MNIST if needed, run the demo, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/mnist_demo')
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args()

    cfg = Config.fromfile(args.config)
    data_root = cfg.test_dataloader.dataset.data_prefix
    val_root = cfg.val_dataloader.dataset.data_prefix
    if not all(
            osp.isfile(osp.join(root, 't10k-images-idx3-ubyte'))
            for root in (data_root, val_root)):
        # Reuses the files already there (no download) and adds val/.
        mnist.main(['--out', data_root])
    summary = distill_and_report(args.config, args.work_dir, args.seed,
                                 args.cfg_options)
    with open(osp.join(args.work_dir, 'demo_summary.json'), 'w') as file:
        json.dump(summary, file, indent=2)
    print('\n=== DFAD on MNIST, no training data (2 CPU cores) ===')
    print(f"teacher  LeNet-5      top-1: {summary['teacher_top1']:.2f}")
    print(f"student  LeNet-5-half top-1: {summary['student_top1_final']:.2f}"
          f" (test split, final iteration {summary['iterations']})")
    print(f"student / teacher ratio    : {summary['ratio']:.4f}")
    print(f"teacher-student agreement  : {summary['agreement']:.2f} % "
          '(real test images)')
    if summary['label_free_score'] is not None:
        print(f"label-free score           : {summary['label_free_score']:.2f}"
              f' % ({LABEL_FREE_SCORE}, generated images, no labels)')
        print('label-free selection       : validation at iter '
              f"{summary['label_free_selected_step']}, validation top-1 "
              f"{summary['label_free_selected_val_top1']:.2f} (best "
              f"validation {summary['student_val_top1_best']:.2f})")
    print(f"training stopped           : {summary['stop']['message']}")
    print(f"wall time (training)       : {summary['wall_time_s']:.0f} s")
    print(f"outputs in {args.work_dir}: checkpoint, "
          f"{osp.basename(summary['student_checkpoint'])}, generated samples "
          '(<timestamp>/vis_data/vis_image/), curves.png, '
          'demo_summary.json')


if __name__ == '__main__':
    main()
