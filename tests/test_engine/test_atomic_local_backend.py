# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Checkpoint saves are atomic: a write that dies keeps the previous file
and leaves no temporary."""
import os

import pytest

from mmrazor_dfad.engine.fileio import AtomicLocalBackend


def test_atomic_save_keeps_the_previous_file(tmp_path, monkeypatch):
    backend = AtomicLocalBackend()
    target = tmp_path / 'iter_2.pth'
    backend.put(b'good checkpoint', target)

    class Killed(Exception):
        pass

    def dies_mid_write(fd):
        raise Killed()

    monkeypatch.setattr(os, 'fsync', dies_mid_write)
    with pytest.raises(Killed):
        backend.put(b'half a checkp', target)
    assert target.read_bytes() == b'good checkpoint'
    assert os.listdir(tmp_path) == ['iter_2.pth']  # no temporary left
