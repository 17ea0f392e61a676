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
#: The folder, inside a prepared dataset, of the validation split held out
#: from the training images, in the layout MMCls reads: ``val/t10k-*`` are
#: the held-out validation images (``test_mode=True``), ``val/train-*`` the
#: remaining training images (``test_mode=False``). The test split stays in
#: the dataset's own folder.
VAL_FOLDER = 'val'
#: The held-out indices (into the training split, one a line, ascending).
VAL_INDICES_FILE = 'val_indices.txt'


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


def hold_out(labels: np.ndarray, count: int,
             seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """Split the training images into the remaining training images and
    ``count`` held-out validation images, the same number of each class.

    For each class in increasing order, the first ``count / classes`` of
    ``numpy.random.RandomState(seed).permutation`` of that class's indices
    are held out (one ``RandomState`` for all classes; NumPy keeps its
    streams fixed across versions). Deterministic: the same labels, count
    and seed give the same split.

    Args:
        labels (np.ndarray): The training labels, ``(N, )``.
        count (int): Validation images; a multiple of the number of
            classes.
        seed (int): Seed of the permutations.

    Returns:
        tuple[np.ndarray, np.ndarray]: The indices (ascending) of the
        remaining training images and of the validation images.
    """
    classes = np.unique(labels)
    if count <= 0 or count % len(classes):
        raise ValueError(f'the validation split of {count} images is not a '
                         f'positive multiple of the {len(classes)} classes')
    per_class = count // len(classes)
    rng = np.random.RandomState(seed)
    held_out = []
    for label in classes:
        members = np.flatnonzero(labels == label)
        if len(members) <= per_class:
            raise SourceUnavailable(
                f'class {label} has {len(members)} training images, too few '
                f'to hold out {per_class} for validation')
        held_out.append(rng.permutation(members)[:per_class])
    val = np.sort(np.concatenate(held_out))
    train = np.setdiff1d(np.arange(len(labels)), val)
    return train, val


def _write(path: str, data: bytes) -> str:
    """Write ``data`` to ``path`` (via a temporary file); its sha256."""
    tmp = path + '.tmp'
    with open(tmp, 'wb') as file:
        file.write(data)
    os.replace(tmp, path)
    return sha256(data)


def write_dataset(out_dir: str,
                  arrays: Dict[str, np.ndarray],
                  manifest: Dict,
                  val_count: Optional[int] = None,
                  val_seed: int = 0) -> Dict:
    """Write the four IDX files, the validation split and ``manifest.json``
    (last); return the manifest.

    Args:
        out_dir (str): The dataset folder.
        arrays (dict): ``train_images``, ``train_labels``, ``test_images``,
            ``test_labels``.
        manifest (dict): What the manifest says besides the counts and
            checksums (dataset, source, ...).
        val_count (int, optional): Training images to hold out for
            validation (see :func:`hold_out`), written to
            ``<out_dir>/val/`` (:data:`VAL_FOLDER`). None: no split.
        val_seed (int): Seed of the split. Defaults to 0.

    Returns:
        dict: The manifest: ``counts`` and ``sha256`` of every file written
        (paths relative to ``out_dir``), and ``val_split``: how the split
        was made.
    """
    os.makedirs(out_dir, exist_ok=True)
    checksums = {}
    for key, name in FILES.items():
        checksums[name] = _write(
            osp.join(out_dir, name), idx_bytes(arrays[key]))
    counts = dict(
        train=int(arrays['train_images'].shape[0]),
        test=int(arrays['test_images'].shape[0]))
    manifest = dict(manifest)
    if val_count:
        train, val = hold_out(arrays['train_labels'], val_count, val_seed)
        val_dir = osp.join(out_dir, VAL_FOLDER)
        os.makedirs(val_dir, exist_ok=True)
        split = dict(
            train_images=arrays['train_images'][train],
            train_labels=arrays['train_labels'][train],
            test_images=arrays['train_images'][val],
            test_labels=arrays['train_labels'][val])
        for key, name in FILES.items():
            checksums[f'{VAL_FOLDER}/{name}'] = _write(
                osp.join(val_dir, name), idx_bytes(split[key]))
        indices = ''.join(f'{index}\n' for index in val.tolist())
        checksums[f'{VAL_FOLDER}/{VAL_INDICES_FILE}'] = _write(
            osp.join(val_dir, VAL_INDICES_FILE), indices.encode())
        counts.update(val=int(len(val)), train_minus_val=int(len(train)))
        manifest['val_split'] = dict(
            folder=VAL_FOLDER,
            held_out_from='train',
            count=int(len(val)),
            per_class=int(len(val)) // len(np.unique(split['test_labels'])),
            seed=val_seed,
            method='per class (0..9 in order), the first count/10 of '
            'numpy.random.RandomState(seed).permutation of the indices of '
            'its training images',
            files=dict(
                val=f'{VAL_FOLDER}/t10k-*-ubyte (read with test_mode=True)',
                train_minus_val=f'{VAL_FOLDER}/train-*-ubyte (read with '
                'test_mode=False)',
                indices=f'{VAL_FOLDER}/{VAL_INDICES_FILE}'))
    manifest.update(
        counts=counts,
        sha256=checksums,
        written=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
    _write(
        osp.join(out_dir, 'manifest.json'),
        (json.dumps(manifest, indent=2) + '\n').encode())
    return manifest


def load_prepared(out_dir: str) -> Optional[Tuple[Dict, Dict]]:
    """The manifest and arrays of a dataset this tool prepared earlier in
    ``out_dir``, when its four IDX files still match the manifest's
    checksums (so re-running the tool upgrades the folder, e.g. adds the
    validation split, without downloading anything); else None.

    Args:
        out_dir (str): The dataset folder.

    Returns:
        tuple[dict, dict] | None: The manifest and the four arrays.
    """
    path = osp.join(out_dir, 'manifest.json')
    if not osp.isfile(path):
        return None
    try:
        with open(path) as file:
            manifest = json.load(file)
        recorded = manifest['sha256']
        arrays = {}
        for key, name in FILES.items():
            with open(osp.join(out_dir, name), 'rb') as file:
                data = file.read()
            if sha256(data) != recorded.get(name):
                return None
            arrays[key] = read_idx(osp.join(out_dir, name))
    except (OSError, ValueError, KeyError, TypeError, SourceUnavailable):
        return None
    return manifest, arrays


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
