# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Work dirs: the newest complete checkpoint is found past damaged ones,
and an unwritable work dir fails before anything starts."""
import os

import pytest
import torch

from mmrazor_dfad.utils import ensure_writable_dir, find_resumable_checkpoint


def test_resume_skips_a_damaged_checkpoint(tmp_path):
    good = tmp_path / 'iter_2.pth'
    torch.save({'state_dict': {}}, good)
    damaged = tmp_path / 'iter_4.pth'
    damaged.write_bytes(good.read_bytes()[:20])
    (tmp_path / 'last_checkpoint').write_text(str(damaged))
    assert find_resumable_checkpoint(str(tmp_path)) == str(good)
    assert find_resumable_checkpoint(str(tmp_path / 'empty')) is None


@pytest.mark.skipif(os.geteuid() == 0, reason='root can write anywhere')
def test_unwritable_work_dir_fails_early(tmp_path):
    locked = tmp_path / 'locked'
    locked.mkdir(mode=0o500)
    with pytest.raises(PermissionError, match='--work-dir DIR'):
        ensure_writable_dir(str(locked / 'run'), '--work-dir')


def test_unwritable_work_dir_message(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    with pytest.raises(
            PermissionError,
            match="Work dir '.*' is not "
            'writable.*--work-dir DIR'):
        ensure_writable_dir(str(blocker / 'run'), '--work-dir')
