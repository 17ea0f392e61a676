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
