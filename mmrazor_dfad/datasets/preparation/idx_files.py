# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Read, write and verify MNIST-style IDX files (shared by the MNIST and
Fashion-MNIST preparation)."""
import gzip
import hashlib
import json
import os
import os.path as osp
import shutil
import sys
import tempfile
import time
import urllib.request
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

# The IDX files MMCls's MNIST / FashionMNIST datasets read (uncompressed).
FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'test_images': 't10k-images-idx3-ubyte',
    'test_labels': 't10k-labels-idx1-ubyte',
}


class SourceUnavailable(Exception):
    """A data source could not be used; the message says why."""


def fail(cause: str, fix: str) -> None:
    """End the script with a one-line cause and the fix."""
    print(f'error: {cause}. Fix: {fix}', file=sys.stderr)
    raise SystemExit(1)


def read_idx(path: str) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a uint8 array."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as file:
        data = file.read()
    magic = int.from_bytes(data[:4], 'big')
    if magic >> 8 != 0x08:  # 0x08: unsigned byte
        raise SourceUnavailable(f'{path} is not a uint8 IDX file')
    ndim = magic & 0xFF
    shape = tuple(
        int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise SourceUnavailable(f'{path} is truncated')
    return array.reshape(shape)


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = (0x0800 | array.ndim).to_bytes(4, 'big') + b''.join(
        int(size).to_bytes(4, 'big') for size in array.shape)
    return header + array.tobytes()


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def verify(images: np.ndarray, labels: np.ndarray, count: Optional[int],
           split: str) -> None:
    """Check counts, shapes and label range of one split."""
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise SourceUnavailable(
            f'{split} images have shape {images.shape}, expected (N, 28, 28)')
    if labels.shape != (images.shape[0], ):
        raise SourceUnavailable(
            f'{split}: {labels.shape[0]} labels for {images.shape[0]} images')
    if count is not None and images.shape[0] != count:
        raise SourceUnavailable(
            f'{split} has {images.shape[0]} images, expected {count}')
    if labels.min() < 0 or labels.max() > 9 or len(np.unique(labels)) != 10:
        raise SourceUnavailable(f'{split} labels are not the 10 classes 0..9')


def find_split_files(folder: str) -> Dict[str, str]:
    """Locate the four IDX files (raw or .gz) in a folder."""
    found = {}
    for key, name in FILES.items():
        for candidate in (name, name + '.gz', name.replace('-idx', '.idx')):
            path = osp.join(folder, candidate)
            if osp.isfile(path):
                found[key] = path
                break
        else:
            raise SourceUnavailable(f'{folder} has no {name}[.gz]')
    return found


def load_folder(folder: str) -> Dict[str, np.ndarray]:
    """The four arrays of the IDX files in ``folder`` (``.gz`` or not)."""
    paths = find_split_files(folder)
    return {key: read_idx(path) for key, path in paths.items()}


def download_files(url_prefix: str,
                   md5s: Dict[str, str],
                   timeout: float = 15.0) -> Dict[str, np.ndarray]:
    """Download the four .gz files, check their md5, and read them."""
    tmp = tempfile.mkdtemp(prefix='idx_download_')
    try:
        arrays = {}
        for key, name in FILES.items():
            url = url_prefix + name + '.gz'
            path = osp.join(tmp, name + '.gz')
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    data = response.read()
            except Exception as error:  # network errors of many kinds
                raise SourceUnavailable(f'cannot download {url}: {error}')
            if md5s and hashlib.md5(data).hexdigest() != md5s[key]:
                raise SourceUnavailable(f'md5 of {url} does not match')
            with open(path, 'wb') as file:
                file.write(data)
            arrays[key] = read_idx(path)
        return arrays
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_dataset(out_dir: str, arrays: Dict[str, np.ndarray],
                  manifest: Dict) -> Dict:
    """Write the four IDX files and ``manifest.json``; return the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    checksums = {}
    for key, name in FILES.items():
        data = idx_bytes(arrays[key])
        with open(osp.join(out_dir, name), 'wb') as file:
            file.write(data)
        checksums[name] = sha256(data)
    manifest = dict(
        manifest,
        counts=dict(
            train=int(arrays['train_images'].shape[0]),
            test=int(arrays['test_images'].shape[0])),
        sha256=checksums,
        written=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
    with open(osp.join(out_dir, 'manifest.json'), 'w') as file:
        json.dump(manifest, file, indent=2)
    return manifest


def try_sources(sources: Sequence[Tuple[str, Callable]]) -> Tuple:
    """Try each source in turn until one loads.

    Args:
        sources (Sequence[tuple]): ``(name, load)`` pairs; ``load()``
            returns the arrays or raises :class:`SourceUnavailable`.

    Returns:
        tuple: ``(name, arrays, reasons)`` of the first source that works,
        else ``(None, None, reasons)``; ``reasons`` says why each earlier
        source was unavailable.
    """
    reasons = []
    for name, load in sources:
        try:
            arrays = load()
            return name, arrays, reasons
        except SourceUnavailable as error:
            reasons.append(f'{name}: {error}')
            print(f'  {name}: unavailable ({error})')
    return None, None, reasons
