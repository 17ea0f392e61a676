# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Put Fashion-MNIST under data/fashion_mnist/ as MMCls's four IDX files.

Sources, in order:
1. ``--source DIR``: a folder with the official files (``.gz`` or not);
2. the official download (md5-checked);
3. offline fallback: Debian's ``dataset-fashion-mnist`` package
   (``/usr/share/datasets/fashion-mnist``; ``apt-get install
   dataset-fashion-mnist``). Debian recompressed the ``.gz`` files, so their
   md5 differs from the official one; the decompressed images are the same.

Every source is verified against the sha256 of the official decompressed
files (60,000 train / 10,000 test, 28x28, labels 0..9), and
``manifest.json`` records the source.

Validation is held out from the training images (never the test split):
5,000 of the 60,000 (500 per class, seed 0; :func:`idx_files.hold_out`),
written to ``val/`` in MMCls's layout: ``val/t10k-*`` the validation images,
``val/train-*`` the other 55,000; the manifest records their sha256 and the
held-out indices (``val/val_indices.txt``). Re-running the tool on a folder
it prepared before (its files matching the manifest) reuses those files
without downloading and adds or rewrites ``val/``.

(``tools/dataset_converters/prepare_fashion_mnist.py``)
"""
import argparse
import os.path as osp
import shutil
import subprocess
from typing import List, Optional

from .idx_files import (FILES, SourceUnavailable, download_files, fail,
                        idx_bytes, load_folder, load_prepared, sha256,
                        try_sources, verify, write_dataset)

URL_PREFIX = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'
MD5 = {  # of the official .gz files (MMCls's table)
    'train_images': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    'train_labels': '25c81989df183df01b3e8a0aad5dffbe',
    'test_images': 'bef4ecab320f06d8554ea6380940ec79',
    'test_labels': 'bb300cfdad3c16e7a12a480ee83cd310',
}
DEBIAN_DIR = '/usr/share/datasets/fashion-mnist'
DEBIAN_PACKAGE = 'dataset-fashion-mnist'
# sha256 of the decompressed files, measured on Debian's copy (its images
# are the official ones; only the gzip layer differs).
SHA256 = {
    'train_images':
    'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    'train_labels':
    'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    'test_images':
    '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    'test_labels':
    '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
}
# Training images held out for validation (idx_files.hold_out).
VAL_SPLIT = dict(count=5000, seed=0)
# sha256 of the validation split's files this script writes (deterministic).
VAL_SHA256 = {
    'val/train-images-idx3-ubyte':
    '33406c1d0659be5566357a5cea47494d00b5a52e87bcf4dfbf60abd19fd16c09',
    'val/train-labels-idx1-ubyte':
    '1316fcb3ea983d492969d40f55c4fedfc51ee7a4db87e275b22224ef35edf915',
    'val/t10k-images-idx3-ubyte':
    '82de05688d0889971acf2966bd50f4c6d7bbf3a7caf08ec081d854941516eb2c',
    'val/t10k-labels-idx1-ubyte':
    '8798dcb2e77210f011765df801162353746267c21aded1d0631f90f41f1abdfc',
    'val/val_indices.txt':
    'fcd96b6a5a862b8ff0a81493c17d5480900d2e934a4dca0b176478fa3b5154f9',
}


def checked(arrays):
    """Verify counts, shapes, labels and the official sha256; return
    ``arrays``."""
    verify(arrays['train_images'], arrays['train_labels'], 60000, 'train')
    verify(arrays['test_images'], arrays['test_labels'], 10000, 'test')
    for key, expected in SHA256.items():
        if expected and sha256(idx_bytes(arrays[key])) != expected:
            raise SourceUnavailable(
                f'{FILES[key]} differs from the official Fashion-MNIST')
    return arrays


def from_debian(install: bool):
    """The arrays of Debian's package (apt-installed when ``install``)."""
    if not osp.isdir(DEBIAN_DIR) and install and shutil.which('apt-get'):
        print(f'  installing {DEBIAN_PACKAGE} with apt-get ...')
        install = ['apt-get', 'install', '-y', '-q', DEBIAN_PACKAGE]
        if subprocess.run(
                install, capture_output=True, timeout=600).returncode != 0:
            # A fresh machine has no package lists yet.
            subprocess.run(['apt-get', 'update', '-q'],
                           capture_output=True,
                           timeout=600)
            subprocess.run(install, capture_output=True, timeout=600)
    if not osp.isdir(DEBIAN_DIR):
        raise SourceUnavailable(
            f'{DEBIAN_DIR} missing (apt-get install {DEBIAN_PACKAGE})')
    return checked(load_folder(DEBIAN_DIR))


def main(argv: Optional[List[str]] = None) -> None:
    """Prepare the dataset as the preparation tool's command line says."""
    parser = argparse.ArgumentParser(description='Prepare Fashion-MNIST')
    parser.add_argument('--source', help='folder with the official files')
    parser.add_argument('--out', default='data/fashion_mnist')
    parser.add_argument(
        '--offline', action='store_true', help='skip the download attempt')
    parser.add_argument(
        '--no-apt',
        action='store_true',
        help='do not apt-get install the Debian package when missing')
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
        try:
            checked(arrays)
        except SourceUnavailable as error:
            prepared = None
            print(f'  not reusing them: {error}')
    if prepared is None:
        sources = []
        if args.source:
            sources.append((f'folder {args.source}',
                            lambda: checked(load_folder(args.source))))
        if not args.offline:
            sources.append(('official download',
                            lambda: checked(download_files(URL_PREFIX, MD5))))
        sources.append((f'Debian package {DEBIAN_PACKAGE}',
                        lambda: from_debian(install=not args.no_apt)))
        name, arrays, reasons = try_sources(sources)
        if arrays is None:
            fail(
                'no Fashion-MNIST source worked (' + '; '.join(reasons) + ')',
                'pass --source DIR with the official files, or apt-get '
                f'install {DEBIAN_PACKAGE}')
    manifest = write_dataset(
        args.out,
        arrays,
        dict(dataset='Fashion-MNIST', source=name),
        val_count=VAL_SPLIT['count'],
        val_seed=VAL_SPLIT['seed'])
    written = {key: manifest['sha256'][key] for key in VAL_SHA256}
    if all(VAL_SHA256.values()) and written != VAL_SHA256:
        fail(
            f'the validation split written to {args.out}/val differs from '
            'the recorded one', 'report it')
    counts = manifest['counts']
    print(f"Fashion-MNIST from {name}: {counts['train']} train "
          f"({counts['val']} of them held out for validation in "
          f"{args.out}/val) / {counts['test']} test images in {args.out}")
    return manifest
