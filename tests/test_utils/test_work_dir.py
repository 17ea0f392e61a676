# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Work dirs: the newest complete checkpoint is found past damaged ones,
and an unwritable work dir fails before anything starts."""
import errno
import os

import pytest
import torch

import mmrazor_dfad.utils.work_dir as work_dir_module
from mmrazor_dfad.utils import ensure_writable_dir, find_resumable_checkpoint


def test_resume_skips_a_damaged_checkpoint(tmp_path):
    good = tmp_path / 'iter_2.pth'
    torch.save({'state_dict': {}}, good)
    damaged = tmp_path / 'iter_4.pth'
    damaged.write_bytes(good.read_bytes()[:20])
    (tmp_path / 'last_checkpoint').write_text(str(damaged))
    assert find_resumable_checkpoint(str(tmp_path)) == str(good)
    assert find_resumable_checkpoint(str(tmp_path / 'empty')) is None


def test_existing_but_unwritable_work_dir_fails_early(tmp_path, monkeypatch):
    # A folder that exists but refuses new files (read-only permissions or
    # file system). Permission bits do not stop root, who runs CI, so the
    # refusal is the kernel's answer given by the file creation itself.
    locked = tmp_path / 'locked'
    locked.mkdir()

    def refuse(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dir)

    monkeypatch.setattr(work_dir_module.tempfile, 'NamedTemporaryFile', refuse)
    with pytest.raises(
            PermissionError,
            match="Work dir '.*locked' is not writable "
            r'\(Permission denied\).*--work-dir DIR'):
        ensure_writable_dir(str(locked), '--work-dir')


def test_unwritable_work_dir_message(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    with pytest.raises(
            PermissionError,
            match="Work dir '.*' is not "
            'writable.*--work-dir DIR'):
        ensure_writable_dir(str(blocker / 'run'), '--work-dir')
