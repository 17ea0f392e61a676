# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""DFAD's losses and the student's accuracy against iterations, read from
the scalars MMEngine's ``LocalVisBackend`` writes
(``<work_dir>/<timestamp>/vis_data/scalars.json``)."""
import argparse
import glob
import json
import os.path as osp
from typing import Dict, List, Optional


def read_scalars(work_dir: str) -> List[Dict]:
    """Every logged row of a run, resumed parts included, oldest first.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        list[dict]: One dict per logged row (``iter``/``step`` and values).
    """
    runs = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not runs:
        raise FileNotFoundError(f'no */vis_data/scalars.json in {work_dir}')
    rows = []
    for run in runs:  # a resumed run continues in a new timestamp folder
        with open(run) as file:
            rows.extend(json.loads(line) for line in file if line.strip())
    return rows


# The validation score of each task, as the runs log it, and its label.
SCORES = (('accuracy/top1', 'student top-1 (real test set)', 'top-1 (%)'),
          ('mIoU', 'student mIoU (real test images)', 'mIoU (%)'))


def plot_curves(work_dir: str, out: str) -> str:
    """Plot the losses and the validation score of a run to ``out``: the
    top-1 of a classifier or the mIoU of a segmentor (whichever the run
    logged), and the label-free agreement on the generated bank if logged.

    Args:
        work_dir (str): The run's work dir.
        out (str): The image to write (``.png``).

    Returns:
        str: ``out``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rows = read_scalars(work_dir)
    train = [row for row in rows if 'distill.loss' in row]
    key, label, unit = next(
        (score for score in SCORES if any(score[0] in row for row in rows)),
        SCORES[0])
    val = [row for row in rows if key in row]
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    loss_ax.plot([r['iter'] for r in train],
                 [r['distill.loss'] for r in train],
                 label='student (distill) loss: L1(student, teacher)')
    # Absent once the generator's learning rate is 0 (its updates are
    # skipped then).
    generator = [row for row in train if 'generator.loss' in row]
    loss_ax.plot([r['iter'] for r in generator],
                 [-r['generator.loss'] for r in generator],
                 label='generator discrepancy (= -generator loss), while '
                 'it learns')
    loss_ax.set_xlabel('iteration')
    loss_ax.set_yscale('log')
    loss_ax.legend()
    loss_ax.set_title('losses')
    acc_ax.plot([r['step'] for r in val], [r[key] for r in val],
                marker='o',
                label=label)
    agreement = [row for row in rows if 'label_free/agreement' in row]
    if agreement:
        acc_ax.plot([r['step'] for r in agreement],
                    [r['label_free/agreement'] for r in agreement],
                    marker='x',
                    label='label-free agreement (generated bank)')
    acc_ax.set_xlabel('iteration')
    acc_ax.set_ylabel(unit)
    acc_ax.legend()
    acc_ax.set_title('student on validation')
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main(argv: Optional[List[str]] = None) -> str:
    """Plot as ``tools/analysis_tools/plot_curves.py ARGV`` does."""
    parser = argparse.ArgumentParser(
        description="Plot DFAD's losses and the student's accuracy")
    parser.add_argument('work_dir')
    parser.add_argument('--out', default=None)
    args = parser.parse_args(argv)
    out = args.out or osp.join(args.work_dir, 'curves.png')
    print(plot_curves(args.work_dir, out))
    return out
