# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A segmentation set made of MNIST or Fashion-MNIST images: the offline
real-pixel benchmark of segmentation distillation.

Each canvas (64 x 64 by default) holds 1 to 4 source images, each resized
to a random size and placed at a random position (later ones on top).
Every foreground pixel of an object (source intensity above a threshold) is
labelled with the object's class + 1, the rest 0 (background): 11 classes.
Train canvases use only the source's training images, test canvases only
its test images, so no source image appears in both. Validation canvases
use only the source's validation images (``<source>/val/t10k-*``, held out
from its training images by the source's preparation tool), so they are
made of training-source images, never of test images; they are drawn from
their own random stream (seed ``[seed, 1]``), so adding them left the train
and test canvases unchanged. (The train canvases were drawn from all the
source's training images, the validation digits included, before the
validation split existed; they are kept as they were, since the shipped
teacher was trained on them.) The layout is what MMSegmentation's
``BaseSegDataset`` and loading pipeline read::

    <out>/img_dir/{train,val,test}/00000.png   RGB (the gray canvas, 3 times)
    <out>/ann_dir/{train,val,test}/00000.png   labels 0..10, one channel
    <out>/manifest.json                        seed, sizes, source, checksums

    python tools/dataset_converters/prepare_mnist_mosaic.py \
        [--source data/mnist] [--out data/mnist_mosaic] [--seed 0]
"""
import argparse
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

from .idx_files import VAL_FOLDER, SourceUnavailable, load_folder

MNIST_CLASSES = tuple(str(digit) for digit in range(10))
FASHION_MNIST_CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
                         'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot')


def mosaic_metainfo(source_classes: Tuple[str, ...] = MNIST_CLASSES) -> Dict:
    """``metainfo`` of a mosaic set for ``BaseSegDataset``: background plus
    the source's classes, with a fixed palette."""
    palette = [[0, 0, 0]] + [[int(255 * channel) for channel in colour]
                             for colour in (
                                 (0.90, 0.10, 0.29), (0.24, 0.71, 0.29),
                                 (1.00, 0.88, 0.10), (0.00, 0.51, 0.78),
                                 (0.96, 0.51, 0.19), (0.57, 0.12, 0.71),
                                 (0.27, 0.94, 0.94), (0.94, 0.20, 0.90),
                                 (0.82, 0.96, 0.24), (0.98, 0.75, 0.83))]
    return dict(
        classes=('background', ) + tuple(source_classes),
        palette=palette[:len(source_classes) + 1])


def compose_canvas(images: np.ndarray, labels: np.ndarray,
                   rng: np.random.Generator, size: int,
                   scale_range: Tuple[int, int],
                   threshold: int) -> Tuple[np.ndarray, np.ndarray]:
    """One canvas and its label map.

    Args:
        images (np.ndarray): Source images, ``(K, 28, 28)`` uint8.
        labels (np.ndarray): Their classes, ``(K, )``.
        rng (np.random.Generator): Places and scales them.
        size (int): Canvas height and width.
        scale_range (tuple[int, int]): Smallest and largest object size.
        threshold (int): Source intensity above which a pixel is foreground.

    Returns:
        tuple[np.ndarray, np.ndarray]: The canvas ``(size, size)`` uint8 and
        the label map ``(size, size)`` uint8 (class + 1, 0 background).
    """
    canvas = np.zeros((size, size), np.uint8)
    label_map = np.zeros((size, size), np.uint8)
    for image, label in zip(images, labels):
        side = int(rng.integers(scale_range[0], scale_range[1] + 1))
        resized = np.asarray(
            Image.fromarray(image).resize((side, side), Image.BILINEAR))
        top = int(rng.integers(0, size - side + 1))
        left = int(rng.integers(0, size - side + 1))
        foreground = resized > threshold
        window = (slice(top, top + side), slice(left, left + side))
        canvas[window][foreground] = resized[foreground]
        label_map[window][foreground] = int(label) + 1
    return canvas, label_map


def write_split(out_dir: str, split: str, images: np.ndarray,
                labels: np.ndarray, count: int, rng: np.random.Generator,
                size: int, max_objects: int, scale_range: Tuple[int, int],
                threshold: int) -> Dict:
    """Write ``count`` canvases of one split; returns its manifest entry."""
    for folder in ('img_dir', 'ann_dir'):
        os.makedirs(osp.join(out_dir, folder, split), exist_ok=True)
    digest = hashlib.sha256()
    used: List[int] = []
    for index in range(count):
        objects = int(rng.integers(1, max_objects + 1))
        chosen = rng.choice(len(images), size=objects, replace=False)
        used.extend(int(i) for i in chosen)
        canvas, label_map = compose_canvas(images[chosen], labels[chosen], rng,
                                           size, scale_range, threshold)
        name = f'{index:05d}.png'
        Image.fromarray(np.stack([canvas] * 3, axis=-1)).save(
            osp.join(out_dir, 'img_dir', split, name))
        Image.fromarray(label_map).save(
            osp.join(out_dir, 'ann_dir', split, name))
        digest.update(canvas.tobytes())
        digest.update(label_map.tobytes())
    return dict(
        canvases=count,
        source_images_used=len(set(used)),
        pixels_sha256=digest.hexdigest())


def prepare(source: str,
            out_dir: str,
            seed: int = 0,
            num_train: int = 6000,
            num_test: int = 1000,
            num_val: int = 1000,
            size: int = 64,
            max_objects: int = 4,
            scale_range: Tuple[int, int] = (20, 40),
            threshold: int = 64,
            source_classes: Tuple[str, ...] = MNIST_CLASSES) -> Dict:
    """Build the mosaic set and its manifest.

    Args:
        source (str): A folder with the four IDX files (data/mnist or
            data/fashion_mnist).
        out_dir (str): Where to write it.
        seed (int): Seed of every random choice. Defaults to 0.
        num_train (int): Train canvases. Defaults to 6000.
        num_test (int): Test canvases. Defaults to 1000.
        num_val (int): Validation canvases, from the source's validation
            images (``<source>/val``). Defaults to 1000.
        size (int): Canvas size. Defaults to 64.
        max_objects (int): Most objects per canvas. Defaults to 4.
        scale_range (tuple[int, int]): Object sizes. Defaults to (20, 40).
        threshold (int): Foreground threshold (0-255). Defaults to 64.
        source_classes (tuple[str]): Names of the source's classes.

    Returns:
        dict: The manifest (also written to ``<out_dir>/manifest.json``).
    """
    if not 1 <= scale_range[0] <= scale_range[1] <= size:
        raise ValueError(
            f'mosaic: scale_range {scale_range} must fit the canvas size '
            f'{size} (1 <= low <= high <= size).')
    arrays = load_folder(source)
    val_source = osp.join(source, VAL_FOLDER)
    try:
        val_arrays = load_folder(val_source) if num_val else None
    except SourceUnavailable as error:
        raise FileNotFoundError(
            f'mosaic: {error}: the source has no validation split. Prepare '
            'it first: make data, or python tools/dataset_converters/'
            f'prepare_{"fashion_" if "fashion" in source else ""}mnist.py '
            f'--out {source} (it adds {val_source} to a prepared folder '
            'without downloading).') from error
    rng = np.random.default_rng(seed)
    common = dict(
        rng=rng,
        size=size,
        max_objects=max_objects,
        scale_range=tuple(scale_range),
        threshold=threshold)
    splits = {
        'train':
        write_split(out_dir, 'train', arrays['train_images'],
                    arrays['train_labels'], num_train, **common),
        'test':
        write_split(out_dir, 'test', arrays['test_images'],
                    arrays['test_labels'], num_test, **common),
    }
    if num_val:
        # Its own stream: the train and test canvases stay as they were.
        splits['val'] = write_split(
            out_dir, 'val', val_arrays['test_images'],
            val_arrays['test_labels'], num_val,
            **dict(common, rng=np.random.default_rng([seed, 1])))
    source_manifest = osp.join(source, 'manifest.json')
    source_sha256 = None
    if osp.isfile(source_manifest):
        with open(source_manifest) as file:
            source_sha256 = json.load(file).get('sha256')
    manifest = dict(
        source=osp.abspath(source),
        source_sha256=source_sha256,
        source_split_of={
            'train': 'train',
            'val': f'{VAL_FOLDER}/t10k (held out from train)',
            'test': 't10k'
        },
        seed=seed,
        size=size,
        max_objects=max_objects,
        scale_range=list(scale_range),
        threshold=threshold,
        metainfo=mosaic_metainfo(source_classes),
        splits=splits)
    with open(osp.join(out_dir, 'manifest.json'), 'w') as file:
        json.dump(manifest, file, indent=2)
    return manifest


def main(argv: Optional[List[str]] = None) -> None:
    """Command line of ``tools/dataset_converters/prepare_mnist_mosaic.py``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--source', default='data/mnist')
    parser.add_argument('--out', default=None)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-train', type=int, default=6000)
    parser.add_argument('--num-test', type=int, default=1000)
    parser.add_argument(
        '--num-val',
        type=int,
        default=1000,
        help='validation canvases, from <source>/val (0: none)')
    parser.add_argument('--size', type=int, default=64)
    args = parser.parse_args(argv)
    fashion = 'fashion' in osp.basename(osp.normpath(args.source))
    out = args.out or ('data/fashion_mnist_mosaic'
                       if fashion else 'data/mnist_mosaic')
    manifest = prepare(
        args.source,
        out,
        seed=args.seed,
        num_train=args.num_train,
        num_test=args.num_test,
        num_val=args.num_val,
        size=args.size,
        source_classes=FASHION_MNIST_CLASSES if fashion else MNIST_CLASSES)
    for split, entry in manifest['splits'].items():
        print(f"{split}: {entry['canvases']} canvases from "
              f"{entry['source_images_used']} source images, sha256 "
              f"{entry['pixels_sha256'][:16]}...")
    print(f'written to {out}')
