# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The Fashion-MNIST scene set: layout, labels, disjoint sources per split,
reproducibility, the manifest, and the config that reads it."""
import hashlib
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from mmrazor_dfad.datasets.preparation import fashion_scenes, idx_files
from mmrazor_dfad.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                  'fashion_scenes.py')
# Each split's source garments get their own classes, so a label map tells
# which source a canvas drew from: train-minus-val 0..3, val 4..6, test
# 7..9 (scene labels: class + 2).
SOURCE_CLASSES = dict(train=(0, 1, 2, 3), val=(4, 5, 6), test=(7, 8, 9))
SIZES = dict(num_train=6, num_val=3, num_test=3)


def ring(radius, width=3, size=28, intensity=200):
    """A bright ring around a dark hole, ``(size, size)`` uint8."""
    rows, columns = np.mgrid[0:size, 0:size] - (size - 1) / 2
    distance = np.hypot(rows, columns)
    return ((np.abs(distance - radius) < width / 2) * intensity).astype(
        np.uint8)


def write_idx(folder, part, images, labels):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f'{part}-images-idx3-ubyte').write_bytes(
        idx_files.idx_bytes(images))
    (folder / f'{part}-labels-idx1-ubyte').write_bytes(
        idx_files.idx_bytes(labels))


def fake_fashion_mnist(root, with_val=True):
    """A Fashion-MNIST-format folder of rings (8 per class of a split),
    with ``val/`` as the preparation tool writes it."""
    garments = {}
    for split, classes in SOURCE_CLASSES.items():
        labels = np.repeat(np.array(classes, np.uint8), 8)
        images = np.stack([
            ring(4 + i % 7, intensity=120 + i * 3) for i in range(len(labels))
        ])
        garments[split] = (images, labels)
    train = [
        np.concatenate(parts)
        for parts in zip(garments['train'], garments['val'])
    ]
    write_idx(root, 'train', *train)
    write_idx(root, 't10k', *garments['test'])
    if with_val:
        write_idx(root / 'val', 'train', *garments['train'])
        write_idx(root / 'val', 't10k', *garments['val'])
    return str(root)


def read_split(out, split):
    """The images and label maps of a split, in file order."""
    names = sorted(p.name for p in (out / 'img_dir' / split).iterdir())
    images = np.stack(
        [np.array(Image.open(out / 'img_dir' / split / n)) for n in names])
    labels = np.stack(
        [np.array(Image.open(out / 'ann_dir' / split / n)) for n in names])
    return names, images, labels


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    root = tmp_path_factory.mktemp('scenes')
    source = fake_fashion_mnist(root / 'fashion_mnist')
    out = root / 'fashion_scenes'
    return source, out, fashion_scenes.prepare(source, str(out), **SIZES)


def test_layout_labels_and_manifest_checksums(scenes):
    _, out, manifest = scenes
    with open(out / 'manifest.json') as file:
        assert json.load(file) == json.loads(json.dumps(manifest))
    for split in ('train', 'val', 'test'):
        names, images, labels = read_split(out, split)
        count = SIZES[f'num_{split}']
        assert names == [f'{i:05d}.png' for i in range(count)]
        assert images.shape == (count, 64, 64, 3)
        assert images.dtype == labels.dtype == np.uint8
        assert labels.shape == (count, 64, 64) and labels.max() <= 11
        # The checksum is over each canvas's RGB then label bytes.
        digest = hashlib.sha256()
        for image, label_map in zip(images, labels):
            digest.update(image.tobytes())
            digest.update(label_map.tobytes())
        entry = manifest['splits'][split]
        assert entry['pixels_sha256'] == digest.hexdigest()
        assert entry['canvases'] == count
        # The class fractions are those of the files.
        fractions = np.bincount(labels.ravel(), minlength=12) / labels.size
        assert list(entry['class_pixel_fractions']) == list(
            fashion_scenes.SCENE_CLASSES)
        np.testing.assert_allclose(
            list(entry['class_pixel_fractions'].values()),
            fractions,
            atol=1e-6)
        assert entry['stuff_fraction'] == pytest.approx(
            fractions[:2].sum(), abs=1e-6)
        assert 0 < entry['stuff_fraction'] < 1
        # Sky above the horizon, ground below: in no column is a sky pixel
        # below a ground pixel.
        ground_seen = np.maximum.accumulate(labels == 1, axis=1)
        assert not (ground_seen & (labels == 0)).any()
        assert (labels[:, 0] != 1).all() and (labels[:, -1] != 0).all()
    assert 0 < manifest['stuff_fraction'] < 1
    assert list(manifest['metainfo']['classes']) == list(
        fashion_scenes.SCENE_CLASSES)


def test_each_split_uses_only_its_own_garments(scenes):
    _, out, manifest = scenes
    for split, classes in SOURCE_CLASSES.items():
        _, _, labels = read_split(out, split)
        garments = set(np.unique(labels).tolist()) - {0, 1}
        assert garments and garments <= {c + 2 for c in classes}, split
        entry = manifest['splits'][split]
        assert entry['source_garments'] == 8 * len(classes)
        assert 0 < entry['source_garments_used'] <= entry['source_garments']


def test_same_seed_same_bytes_and_streams_per_split(scenes, tmp_path):
    source, out, first = scenes
    again = fashion_scenes.prepare(source, str(tmp_path / 'again'), **SIZES)
    assert again['splits'] == first['splits']
    other = fashion_scenes.prepare(
        source, str(tmp_path / 'seed1'), seed=1, **SIZES)
    assert other['splits']['train']['pixels_sha256'] != first['splits'][
        'train']['pixels_sha256']
    # Each split has its own stream: more train canvases leave the
    # validation and test canvases as they were.
    more = fashion_scenes.prepare(source, str(tmp_path / 'more'),
                                  **dict(SIZES, num_train=7))
    for split in ('val', 'test'):
        assert more['splits'][split] == first['splits'][split]
    # And the streams differ: the val and test skies are not the same.
    skies = [read_split(out, split)[1][0, 0] for split in ('val', 'test')]
    assert not np.array_equal(*skies)


def test_silhouette_is_hole_filled_and_colour_is_random():
    hole = ring(8)
    filled = fashion_scenes.silhouette(hole, 20)
    assert filled[14, 14] and not (hole > 20)[14, 14]
    rng = np.random.default_rng(0)
    means = []
    for _ in range(20):
        # One garment at its own size: the ring never leaves the canvas.
        canvas, label_map = fashion_scenes.compose_canvas(
            hole[None],
            np.array([3]),
            rng,
            size=64,
            scale_range=(28, 28),
            threshold=20,
            horizon_range=(0.25, 0.45))
        garment = label_map == 5
        # The label covers the whole silhouette, its dark hole included,
        # and nothing else.
        assert garment.sum() == filled.sum()
        means.append(canvas[garment].mean(axis=0))
    # The garment's colour changes from canvas to canvas.
    assert np.std(means, axis=0).min() > 20


def test_missing_validation_split_names_the_fix(tmp_path):
    source = fake_fashion_mnist(tmp_path / 'no_val', with_val=False)
    with pytest.raises(
            FileNotFoundError,
            match='validation split.*make data.*'
            'prepare_fashion_mnist.py --out'):
        fashion_scenes.prepare(source, str(tmp_path / 'out'), **SIZES)


def test_config_reads_the_set_with_its_metainfo(scenes):
    _, out, _ = scenes
    cfg = Config.fromfile(CONFIG)
    assert cfg.scenes_metainfo == dict(
        classes=fashion_scenes.SCENE_CLASSES,
        palette=fashion_scenes.scenes_metainfo()['palette'])
    register_all_modules()
    from mmseg.registry import DATASETS
    for loader, count in (('train_dataloader', 6), ('test_dataloader', 3)):
        dataset = cfg[loader].dataset
        dataset.data_root = str(out)
        dataset = DATASETS.build(dataset)
        assert len(dataset) == count
        sample = dataset[0]
        assert tuple(sample['inputs'].shape) == (3, 64, 64)
        assert sample['data_samples'].gt_sem_seg.data.max() <= 11


def test_a_missing_or_incomplete_scenes_folder_is_refused_with_the_fix(
        tmp_path):
    from mmrazor_dfad.datasets import check_segmentation_folders
    cfg = Config.fromfile(CONFIG)
    out = tmp_path / 'fashion_scenes'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = str(out)
    with pytest.raises(FileNotFoundError, match='make scenes'):
        check_segmentation_folders(cfg)
    source = fake_fashion_mnist(tmp_path / 'fashion_mnist')
    fashion_scenes.prepare(source, str(out), **SIZES)
    check_segmentation_folders(cfg)  # complete
    (out / 'img_dir' / 'val' / '00002.png').unlink()
    with pytest.raises(
            ValueError,
            match='holds 2 of the 3 images its manifest lists'
            '.*make scenes'):
        check_segmentation_folders(cfg)
    (out / 'manifest.json').unlink()
    with pytest.raises(ValueError, match='incomplete: it has no manifest'):
        check_segmentation_folders(cfg)
