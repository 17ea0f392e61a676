# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Sanity floors (what a segmenter must beat) of the Fashion-MNIST scene
set's test split: writes results/fashion_scenes_floors.json and prints them.

``all-stuff-rows`` gives each pixel the stuff class (sky or ground) most
frequent in its row over the train canvases; ``pixel-logreg-rgb`` is a
multinomial logistic regression on one pixel's RGB (200,000 train pixels,
full-batch gradient descent in NumPy). They are scored as the benchmark's
evaluator scores a segmentor (``ClassIoUMetric`` of the dataset config:
T-shirt/top with Shirt and Pullover with Coat merged): ``mIoU`` over the 10
scored classes (a class present but never predicted: IoU 0),
``thing_mIoU`` over the 8 garment classes, ``mIoU_unmerged`` over the 12.
"""
import argparse
import os
import os.path as osp
from datetime import date

import numpy as np
import torch
from mmengine.config import Config
from PIL import Image

from mmrazor_dfad.datasets.preparation.fashion_scenes import SCENE_CLASSES
from mmrazor_dfad.evaluation.metrics.class_iou_metric import merge_confusion
from run_records import ResultsFile, RunRecord, dump_results, provenance

CLASSES = len(SCENE_CLASSES)
SPLITS = ('train', 'test')


def read(root, split, kind, indices):
    """The PNGs ``indices`` of a split, stacked: ``(N, 64, 64[, 3])``."""
    return np.stack([
        np.asarray(Image.open(f'{root}/{kind}/{split}/{i:05d}.png'))
        for i in indices
    ])


def iou_of(confusion):
    """Per-class IoU (percent) of a confusion matrix; NaN: a class absent
    from both label and prediction (skipped in means)."""
    union = confusion.sum(0) + confusion.sum(1) - confusion.diagonal()
    with np.errstate(invalid='ignore'):
        return 100 * confusion.diagonal() / union


def metrics(labels, predictions, merges, things):
    """Per-class IoU over the scored (merged) classes, their mean, the
    garments' mean and the mean over the 12 unmerged classes."""
    confusion = np.bincount(
        CLASSES * labels.ravel().astype(np.int64) + predictions.ravel(),
        minlength=CLASSES**2).reshape(CLASSES, CLASSES)
    merged, names = merge_confusion(
        torch.from_numpy(confusion), list(SCENE_CLASSES), merges)
    iou = iou_of(merged.numpy())
    return dict(
        mIoU=round(float(np.nanmean(iou)), 2),
        thing_mIoU=round(
            float(np.nanmean([iou[names.index(name)] for name in things])), 2),
        mIoU_unmerged=round(float(np.nanmean(iou_of(confusion))), 2),
        per_class_IoU=[round(float(value), 2) for value in iou])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', default='data/fashion_scenes')
    parser.add_argument('--out', default='results/fashion_scenes_floors.json')
    parser.add_argument('--pixels', type=int, default=200000)
    parser.add_argument('--steps', type=int, default=2000)
    parser.add_argument(
        '--config',
        default='configs/_base_/datasets/fashion_scenes.py',
        help='the dataset config whose evaluator scores the floors')
    args = parser.parse_args(argv)
    evaluator = Config.fromfile(args.config).val_evaluator
    merges = dict(evaluator.class_merges)
    things = list(evaluator.class_subsets['things'])
    count = {s: len(os.listdir(f'{args.root}/ann_dir/{s}')) for s in SPLITS}
    test_labels = read(args.root, 'test', 'ann_dir', range(count['test']))
    test_images = read(args.root, 'test', 'img_dir', range(count['test']))
    # Rows: the majority stuff class of each row over all train canvases.
    stuff = np.zeros((2, test_labels.shape[1]))
    for start in range(0, count['train'], 1000):
        labels = read(args.root, 'train', 'ann_dir',
                      range(start, min(start + 1000, count['train'])))
        stuff += [(labels == c).sum((0, 2)) for c in (0, 1)]
    rows = np.broadcast_to(stuff.argmax(0)[None, :, None], test_labels.shape)
    # Pixels: a random sample of train pixels, RGB standardised.
    rng = np.random.default_rng(0)
    canvases = np.sort(rng.choice(count['train'], 2000, replace=False))
    images = read(args.root, 'train', 'img_dir', canvases).reshape(-1, 3)
    labels = read(args.root, 'train', 'ann_dir', canvases).ravel()
    chosen = rng.choice(len(labels), args.pixels, replace=False)
    mean, std = images.mean(0), images.std(0)
    x, onehot = (images[chosen] - mean) / std, np.eye(CLASSES)[labels[chosen]]
    weight, bias = np.zeros((3, CLASSES)), np.zeros(CLASSES)
    for _ in range(args.steps):  # convex: plain full-batch descent suffices
        logits = x @ weight + bias
        probabilities = np.exp(logits - logits.max(1, keepdims=True))
        probabilities /= probabilities.sum(1, keepdims=True)
        weight -= x.T @ (probabilities - onehot) / len(x)
        bias -= (probabilities - onehot).mean(0)
    loss = -np.log(probabilities[onehot > 0]).mean()
    pixels = ((test_images.reshape(-1, 3) - mean) / std @ weight +
              bias).argmax(1)
    # Every record: its commit, threads, machine, split and date.
    common = dict(
        provenance(threads=1, machine='2 CPU cores'),
        split='test',
        date=date.today().isoformat())
    runs = [
        RunRecord(
            variant='all-stuff-rows',
            metrics=metrics(test_labels, rows, merges, things),
            description='the majority stuff class of the row',
            **common),
        RunRecord(
            variant='pixel-logreg-rgb',
            extra=dict(steps=args.steps, final_loss=round(float(loss), 4)),
            metrics=metrics(test_labels, pixels, merges, things),
            description='logistic regression on the pixel RGB',
            **common)
    ]
    dump_results(
        ResultsFile(
            name=osp.splitext(osp.basename(args.out))[0],
            description='Sanity floors, by .dev_scripts/scene_floors.py.',
            dataset=f"Fashion-MNIST scenes ({count['test']:,} test canvases)",
            task='segmentation',
            extra=dict(
                classes=merge_confusion(
                    torch.zeros(CLASSES, CLASSES), list(SCENE_CLASSES), merges)
                [1]),
            runs=runs), args.out)
    for run in runs:
        print(f"{run.variant}: mIoU {run.metrics['mIoU']:.2f}, garments' "
              f"mIoU {run.metrics['thing_mIoU']:.2f}, unmerged "
              f"{run.metrics['mIoU_unmerged']:.2f}, per class IoU "
              f"{run.metrics['per_class_IoU']}")
    print(f"commit {common['commit']}, written to {args.out}")


if __name__ == '__main__':
    main()
