# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What ``--resume`` picks in a work dir, what it says, and when it stops
(``choose_resume_checkpoint``)."""
import pytest
import torch

from mmrazor_dfad.utils import choose_resume_checkpoint


def write_checkpoint(path, damage=None):
    torch.save({'state_dict': {}}, path)
    if damage == 'truncated':
        path.write_bytes(path.read_bytes()[:40])
    elif damage == 'empty':
        path.write_bytes(b'')


def test_resume_names_skipped_checkpoints_and_picks_the_newest_complete(
        tmp_path):
    write_checkpoint(tmp_path / 'iter_2.pth')
    write_checkpoint(tmp_path / 'iter_4.pth', 'truncated')
    write_checkpoint(tmp_path / 'iter_6.pth', 'empty')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_6.pth'))
    path, notes = choose_resume_checkpoint(str(tmp_path), 'auto')
    assert path == str(tmp_path / 'iter_2.pth')
    assert notes == [
        f'Skipped {tmp_path / "iter_6.pth"} for resuming: the file is empty '
        '(0 bytes).',
        f'Skipped {tmp_path / "iter_4.pth"} for resuming: the file is '
        'truncated or damaged (40 bytes; File is not a zip file).',
        f'Resuming from {tmp_path / "iter_2.pth"}.',
    ]


def test_resume_prefers_a_newer_complete_file_over_a_stale_pointer(tmp_path):
    write_checkpoint(tmp_path / 'iter_2.pth')
    write_checkpoint(tmp_path / 'iter_4.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    path, _ = choose_resume_checkpoint(str(tmp_path), 'auto')
    assert path == str(tmp_path / 'iter_4.pth')


def test_resume_with_nothing_to_resume_stops_and_says_what_it_found(tmp_path):
    with pytest.raises(
            FileNotFoundError,
            match=r"--resume found no checkpoint in '.*empty'. To "
            'start from scratch, run without --resume'):
        (tmp_path / 'empty').mkdir()
        choose_resume_checkpoint(str(tmp_path / 'empty'), 'auto')
    with pytest.raises(
            FileNotFoundError,
            match=r"the work dir '.*typo' does not exist "
            r'\(mistyped --work-dir\?\)'):
        choose_resume_checkpoint(str(tmp_path / 'typo'), 'auto')
    write_checkpoint(tmp_path / 'iter_4.pth', 'truncated')
    with pytest.raises(
            FileNotFoundError,
            match=r'no complete checkpoint in .*\(iter_4.pth: the '
            'file is truncated or damaged'):
        choose_resume_checkpoint(str(tmp_path), 'auto')
    with pytest.raises(
            ValueError,
            match=r'--resume .*iter_4.pth: cannot resume from it: '
            'the file is truncated'):
        choose_resume_checkpoint(str(tmp_path), str(tmp_path / 'iter_4.pth'))


def test_resume_if_any_starts_fresh_and_says_so(tmp_path):
    path, notes = choose_resume_checkpoint(str(tmp_path), None, True)
    assert path is None
    assert notes[-1].startswith('--resume-if-any: no complete checkpoint')
