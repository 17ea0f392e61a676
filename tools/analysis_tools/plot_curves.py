# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Plot DFAD's losses and the student's accuracy against iterations.

    python tools/analysis_tools/plot_curves.py WORK_DIR [--out curves.png]

Reads the latest ``<WORK_DIR>/<timestamp>/vis_data/scalars.json``.
"""
import argparse
import glob
import json
import os.path as osp
from typing import Dict, List

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def read_scalars(work_dir: str) -> List[Dict]:
    runs = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not runs:
        raise FileNotFoundError(f'no */vis_data/scalars.json in {work_dir}')
    rows = []
    for run in runs:  # a resumed run continues in a new timestamp folder
        with open(run) as file:
            rows.extend(json.loads(line) for line in file if line.strip())
    return rows


def plot_curves(work_dir: str, out: str) -> str:
    rows = read_scalars(work_dir)
    train = [row for row in rows if 'distill.loss' in row]
    val = [row for row in rows if 'accuracy/top1' in row]
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    loss_ax.plot([r['iter'] for r in train], [r['distill.loss'] for r in train],
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
    acc_ax.plot([r['step'] for r in val], [r['accuracy/top1'] for r in val],
                marker='o', label='student top-1 (real test set)')
    acc_ax.set_xlabel('iteration')
    acc_ax.set_ylabel('top-1 (%)')
    acc_ax.legend()
    acc_ax.set_title('student accuracy')
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument('--out', default=None)
    args = parser.parse_args()
    out = args.out or osp.join(args.work_dir, 'curves.png')
    print(plot_curves(args.work_dir, out))


if __name__ == '__main__':
    main()
