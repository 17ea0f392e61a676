# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A scene segmentation set made of Fashion-MNIST garments: sky, textured
ground and tinted garments, every pixel labelled by what it belongs to.

Each canvas (64 x 64 RGB by default) is:

- **sky** (class 0) above a random horizon (25-45 % from the top, tilted
  and gently wavy): a smooth gradient between two random colours, in a
  random direction close to vertical;
- **ground** (class 1) below it: a random colour modulated by a random
  texture, either an oriented sinusoidal grating or band-limited noise,
  with a random contrast. Sky and ground colours are drawn from the same
  distribution, so they differ by texture and position, not by colour;
- 1 to 4 **garments** (classes 2..11: the Fashion-MNIST class + 2; 1, 2,
  3 or 4 with probabilities 0.1, 0.2, 0.3 and 0.4, so that sky and ground
  hold about two thirds of the pixels), each resized to a random size
  (24-44 px) and placed at a random position (at most a sixth of it
  outside the canvas), later ones on top. A garment's
  silhouette is its resized image thresholded, then hole-filled, so the
  label covers its dark inner parts too; inside it the canvas takes the
  garment's grey texture times a random colour (the garment's mean colour
  is drawn like the sky's and ground's), so colour does not tell the
  classes apart, nor things from stuff.

Train canvases use only the training garments that are not in the source's
validation split (``<source>/val/train-*``), validation canvases only the
held-out validation garments (``<source>/val/t10k-*``), test canvases only
the test garments (``<source>/t10k-*``); each split has its own random
stream (seed ``[seed, split index]``). The layout is what MMSegmentation's
``BaseSegDataset`` and loading pipeline read::

    <out>/img_dir/{train,val,test}/00000.png   RGB
    <out>/ann_dir/{train,val,test}/00000.png   labels 0..11, one channel
    <out>/manifest.json                        seed, sizes, parameters,
                                               checksums, class fractions

    python tools/dataset_converters/prepare_fashion_scenes.py \
        [--source data/fashion_mnist] [--out data/fashion_scenes] [--seed 0]
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image
from scipy import ndimage

from .idx_files import VAL_FOLDER, SourceUnavailable, load_folder
from .mosaic import FASHION_MNIST_CLASSES

STUFF_CLASSES = ('sky', 'ground')
SCENE_CLASSES = STUFF_CLASSES + FASHION_MNIST_CLASSES
#: The splits in the order of their random streams (``[seed, index]``).
SPLITS = ('train', 'val', 'test')
#: Where each split's garments come from, relative to the source folder,
#: and the key of ``load_folder`` that holds them there.
SPLIT_SOURCES = {
    'train': (VAL_FOLDER, 'train'),  # the training garments minus val
    'val': (VAL_FOLDER, 'test'),  # the held-out validation garments
    'test': ('', 'test'),  # the test garments
}


def scenes_metainfo() -> Dict:
    """``metainfo`` of the scene set for ``BaseSegDataset``: sky, ground
    and the 10 Fashion-MNIST classes, with a fixed palette."""
    palette = [
        [135, 206, 235],  # sky: light blue
        [120, 84, 40],  # ground: brown
        [230, 25, 75],
        [60, 180, 75],
        [255, 225, 25],
        [0, 130, 200],
        [245, 130, 48],
        [145, 30, 180],
        [70, 240, 240],
        [240, 50, 230],
        [210, 245, 60],
        [250, 190, 212],
    ]
    return dict(classes=SCENE_CLASSES, palette=palette)


def horizon_rows(rng: np.random.Generator, size: int,
                 horizon_range: Tuple[float, float]) -> np.ndarray:
    """The horizon's row at each column: a random height, tilt and wave.

    Returns:
        np.ndarray: ``(size, )`` float, the first ground row of a column.
    """
    columns = np.arange(size) / size - 0.5
    height = rng.uniform(*horizon_range) * size
    tilt = rng.uniform(-0.12, 0.12) * size  # the rise across the canvas
    wave = rng.uniform(0.0, 0.03) * size
    periods = rng.uniform(0.5, 2.0)
    phase = rng.uniform(0, 2 * np.pi)
    return (height + tilt * columns +
            wave * np.sin(2 * np.pi * periods * columns + phase))


def sky_colours(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth gradient between two random colours, nearly vertical.

    Returns:
        np.ndarray: ``(size, size, 3)`` float in 0..255.
    """
    top, bottom = rng.uniform(0, 255, (2, 3))
    angle = rng.uniform(-0.35, 0.35)  # radians from vertical
    rows, columns = np.mgrid[0:size, 0:size] / (size - 1) - 0.5
    position = rows * np.cos(angle) + columns * np.sin(angle)
    # 0 at the top, 1 at the bottom, whatever the angle.
    position = (position - position.min()) / np.ptp(position)
    return top + (bottom - top) * position[..., None]


def ground_texture(rng: np.random.Generator, size: int) -> np.ndarray:
    """An oriented sinusoidal grating or band-limited noise.

    Returns:
        np.ndarray: ``(size, size)`` float in -1..1.
    """
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float64)
    if rng.random() < 0.5:
        angle = rng.uniform(0, np.pi)
        period = rng.uniform(4, 16)  # pixels
        return np.sin(2 * np.pi / period *
                      (rows * np.cos(angle) + columns * np.sin(angle)) +
                      rng.uniform(0, 2 * np.pi))
    # White noise low-passed in the Fourier domain: no grid artefacts, and
    # the cut-off sets the grain (2-8 cycles across the canvas).
    noise = rng.standard_normal((size, size))
    frequencies = np.fft.fftfreq(size) * size
    radius = np.hypot(frequencies[:, None], frequencies[None, :])
    texture = np.fft.ifft2(np.fft.fft2(noise) *
                           (radius <= rng.uniform(2, 8))).real
    return texture / max(np.abs(texture).max(), 1e-8)


def ground_colours(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random colour modulated by a random texture and contrast.

    Returns:
        np.ndarray: ``(size, size, 3)`` float in 0..255 (unclipped).
    """
    base = rng.uniform(0, 255, 3)
    texture = ground_texture(rng, size)
    contrast = rng.uniform(0.15, 0.5)
    return base * (1 + contrast * texture[..., None])


def silhouette(garment: np.ndarray, threshold: int) -> np.ndarray:
    """The garment's hole-filled mask: what its label covers.

    Args:
        garment (np.ndarray): The resized garment, ``(s, s)`` uint8.
        threshold (int): Intensity above which a pixel starts the mask.

    Returns:
        np.ndarray: ``(s, s)`` bool; the dark parts the outline encloses
        (a bag's handle hole, a dark print) included.
    """
    return ndimage.binary_fill_holes(garment > threshold)


def compose_canvas(
        images: np.ndarray, labels: np.ndarray, rng: np.random.Generator,
        size: int, scale_range: Tuple[int, int], threshold: int,
        horizon_range: Tuple[float, float]) -> Tuple[np.ndarray, np.ndarray]:
    """One scene and its label map.

    Args:
        images (np.ndarray): The garments, ``(K, 28, 28)`` uint8.
        labels (np.ndarray): Their Fashion-MNIST classes, ``(K, )``.
        rng (np.random.Generator): Draws every random choice.
        size (int): Canvas height and width.
        scale_range (tuple[int, int]): Smallest and largest garment size.
        threshold (int): Garment intensity that starts its silhouette.
        horizon_range (tuple[float, float]): Horizon height, as fractions
            of the canvas from the top.

    Returns:
        tuple[np.ndarray, np.ndarray]: The canvas ``(size, size, 3)`` uint8
        and the label map ``(size, size)`` uint8 (0 sky, 1 ground, class
        + 2 a garment).
    """
    rows = np.arange(size)[:, None]
    ground = rows >= horizon_rows(rng, size, horizon_range)[None, :]
    canvas = np.where(ground[..., None], ground_colours(rng, size),
                      sky_colours(rng, size))
    label_map = ground.astype(np.uint8)
    for image, label in zip(images, labels):
        side = int(rng.integers(scale_range[0], scale_range[1] + 1))
        garment = np.asarray(
            Image.fromarray(image).resize((side, side), Image.BILINEAR))
        mask = silhouette(garment, threshold)
        # At most a sixth of the garment outside the canvas, on each side.
        overhang = side // 6
        top = int(rng.integers(-overhang, size - side + overhang + 1))
        left = int(rng.integers(-overhang, size - side + overhang + 1))
        colour = rng.uniform(0, 255, 3)
        if not mask.any():  # a blank source image: nothing to place
            continue
        # The grey texture, lifted off black (so a dark garment is not
        # black), scaled so its mean is the garment's colour (times a
        # gain): the colour is drawn like the sky's and ground's.
        floor = rng.uniform(0.15, 0.5)
        shade = floor + (1 - floor) * garment / max(garment[mask].max(), 1)
        shade *= rng.uniform(0.8, 1.25) / shade[mask].mean()
        # The part of the garment's square inside the canvas.
        y0, x0 = max(top, 0), max(left, 0)
        y1, x1 = min(top + side, size), min(left + side, size)
        crop = (slice(y0 - top, y1 - top), slice(x0 - left, x1 - left))
        inside = mask[crop]
        window = canvas[y0:y1, x0:x1]
        window[inside] = shade[crop][inside][:, None] * colour
        label_map[y0:y1, x0:x1][inside] = int(label) + 2
    return np.clip(canvas, 0, 255).round().astype(np.uint8), label_map


def write_split(out_dir: str, split: str, images: np.ndarray,
                labels: np.ndarray, count: int, rng: np.random.Generator,
                size: int, garment_weights: Tuple[float, ...],
                scale_range: Tuple[int, int], threshold: int,
                horizon_range: Tuple[float, float]) -> Dict:
    """Write ``count`` canvases of one split; returns its manifest entry."""
    for folder in ('img_dir', 'ann_dir'):
        os.makedirs(osp.join(out_dir, folder, split), exist_ok=True)
    digest = hashlib.sha256()
    used = np.zeros(len(images), bool)
    pixels = np.zeros(len(SCENE_CLASSES), np.int64)
    weights = np.asarray(garment_weights, np.float64)
    for index in range(count):
        garments = 1 + int(rng.choice(len(weights), p=weights / weights.sum()))
        chosen = rng.choice(len(images), size=garments, replace=False)
        used[chosen] = True
        canvas, label_map = compose_canvas(images[chosen], labels[chosen], rng,
                                           size, scale_range, threshold,
                                           horizon_range)
        name = f'{index:05d}.png'
        Image.fromarray(canvas).save(osp.join(out_dir, 'img_dir', split, name))
        Image.fromarray(label_map).save(
            osp.join(out_dir, 'ann_dir', split, name))
        digest.update(canvas.tobytes())
        digest.update(label_map.tobytes())
        pixels += np.bincount(label_map.ravel(), minlength=len(pixels))
    fractions = pixels / max(pixels.sum(), 1)
    return dict(
        canvases=count,
        source_garments=len(images),
        source_garments_used=int(used.sum()),
        pixels_sha256=digest.hexdigest(),
        class_pixel_fractions={
            name: round(float(value), 6)
            for name, value in zip(SCENE_CLASSES, fractions)
        },
        stuff_fraction=round(float(fractions[:len(STUFF_CLASSES)].sum()), 6))


def load_sources(source: str) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """Each split's garments and classes (see :data:`SPLIT_SOURCES`).

    Raises:
        FileNotFoundError: The source has no validation split, which the
            train and validation canvases both need; the message says how
            to add it.
    """
    try:
        folders = {
            folder: load_folder(osp.join(source, folder))
            for folder in {folder
                           for folder, _ in SPLIT_SOURCES.values()}
        }
    except SourceUnavailable as error:
        raise FileNotFoundError(
            f'fashion_scenes: {error}: the source needs its validation '
            f'split ({osp.join(source, VAL_FOLDER)}): the train canvases '
            'use the training garments outside it, the val canvases the '
            'garments in it. Prepare it first: make data, or python '
            'tools/dataset_converters/prepare_fashion_mnist.py --out '
            f'{source} (it adds {VAL_FOLDER}/ to a prepared folder without '
            'downloading).') from error
    return {
        split:
        (folders[folder][f'{part}_images'], folders[folder][f'{part}_labels'])
        for split, (folder, part) in SPLIT_SOURCES.items()
    }


def prepare(
    source: str,
    out_dir: str,
    seed: int = 0,
    num_train: int = 30000,
    num_val: int = 1000,
    num_test: int = 2000,
    size: int = 64,
    garment_weights: Tuple[float, ...] = (0.1, 0.2, 0.3, 0.4),
    scale_range: Tuple[int, int] = (24, 44),
    threshold: int = 20,
    horizon_range: Tuple[float, float] = (0.25, 0.45)
) -> Dict:
    """Build the scene set and its manifest.

    Args:
        source (str): A prepared Fashion-MNIST folder (four IDX files and
            its ``val/`` split), e.g. data/fashion_mnist.
        out_dir (str): Where to write it.
        seed (int): Seed of every random choice. Defaults to 0.
        num_train (int): Train canvases. Defaults to 30000.
        num_val (int): Validation canvases. Defaults to 1000.
        num_test (int): Test canvases. Defaults to 2000.
        size (int): Canvas size. Defaults to 64.
        garment_weights (tuple[float]): Relative probabilities of 1, 2,
            ... garments on a canvas. Defaults to (0.1, 0.2, 0.3, 0.4).
        scale_range (tuple[int, int]): Garment sizes. Defaults to (24, 44).
        threshold (int): Garment intensity (0-255) above which a pixel
            starts its silhouette (then hole-filled). Defaults to 20.
        horizon_range (tuple[float, float]): Horizon heights, as fractions
            of the canvas from the top. Defaults to (0.25, 0.45).

    Returns:
        dict: The manifest (also written to ``<out_dir>/manifest.json``).
    """
    if not 1 <= scale_range[0] <= scale_range[1] <= size:
        raise ValueError(
            f'fashion_scenes: scale_range {scale_range} must fit the canvas '
            f'size {size} (1 <= low <= high <= size).')
    sources = load_sources(source)
    counts = dict(train=num_train, val=num_val, test=num_test)
    splits = {}
    for index, split in enumerate(SPLITS):
        images, labels = sources[split]
        if counts[split] and len(images) < len(garment_weights):
            raise ValueError(
                f'fashion_scenes: {split} has {len(images)} source garments, '
                f'fewer than the {len(garment_weights)} a canvas may hold.')
        # Its own stream: a split's canvases do not depend on the others'
        # counts.
        splits[split] = write_split(
            out_dir,
            split,
            images,
            labels,
            counts[split],
            rng=np.random.default_rng([seed, index]),
            size=size,
            garment_weights=tuple(garment_weights),
            scale_range=tuple(scale_range),
            threshold=threshold,
            horizon_range=tuple(horizon_range))
    total = sum(entry['canvases'] for entry in splits.values())
    stuff = sum(entry['canvases'] * entry['stuff_fraction']
                for entry in splits.values()) / max(total, 1)
    source_manifest = osp.join(source, 'manifest.json')
    source_sha256 = None
    if osp.isfile(source_manifest):
        with open(source_manifest) as file:
            source_sha256 = json.load(file).get('sha256')
    manifest = dict(
        source=osp.abspath(source),
        source_sha256=source_sha256,
        source_split_of={
            'train': f'{VAL_FOLDER}/train (the training garments minus val)',
            'val': f'{VAL_FOLDER}/t10k (held out from train)',
            'test': 't10k'
        },
        seed=seed,
        streams={split: [seed, index]
                 for index, split in enumerate(SPLITS)},
        size=size,
        garment_weights=list(garment_weights),
        scale_range=list(scale_range),
        threshold=threshold,
        horizon_range=list(horizon_range),
        metainfo=scenes_metainfo(),
        stuff_fraction=round(stuff, 6),
        splits=splits)
    with open(osp.join(out_dir, 'manifest.json'), 'w') as file:
        json.dump(manifest, file, indent=2)
    return manifest


def main(argv: Optional[List[str]] = None) -> None:
    """Command line of
    ``tools/dataset_converters/prepare_fashion_scenes.py``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--source', default='data/fashion_mnist')
    parser.add_argument('--out', default='data/fashion_scenes')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-train', type=int, default=30000)
    parser.add_argument('--num-val', type=int, default=1000)
    parser.add_argument('--num-test', type=int, default=2000)
    parser.add_argument('--size', type=int, default=64)
    args = parser.parse_args(argv)
    start = time.time()
    manifest = prepare(
        args.source,
        args.out,
        seed=args.seed,
        num_train=args.num_train,
        num_val=args.num_val,
        num_test=args.num_test,
        size=args.size)
    for split, entry in manifest['splits'].items():
        print(f"{split}: {entry['canvases']} canvases from "
              f"{entry['source_garments_used']} of "
              f"{entry['source_garments']} source garments, stuff "
              f"{entry['stuff_fraction']:.3f}, sha256 "
              f"{entry['pixels_sha256'][:16]}...")
    print(f'written to {args.out} in {time.time() - start:.0f} s')
