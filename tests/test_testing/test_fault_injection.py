# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""``mmrazor_dfad.testing._internal.fault_injection`` installs a fault for a
``with`` block only (the faults themselves:
tests/test_tools/test_fault_safety.py)."""
import os

import pytest
from mmengine.fileio import LocalBackend
from mmengine.hooks import checkpoint_hook
from mmengine.runner import Runner

from mmrazor_dfad.engine.fileio import atomic_local_backend
from mmrazor_dfad.testing._internal.fault_injection import FAULTS, injected


def patched_attributes():
    return dict(
        put=atomic_local_backend.AtomicLocalBackend.__dict__.get('put'),
        fsync=os.fsync,
        folder_sync=atomic_local_backend._fsync_folder,
        open=checkpoint_hook.__dict__.get('open'),
        remove=LocalBackend.__dict__.get('remove'),
        from_cfg=Runner.__dict__.get('from_cfg'))


@pytest.mark.parametrize('fault', FAULTS)
def test_every_fault_is_undone_after_its_block(fault):
    before = patched_attributes()
    with injected(fault, 2):
        assert atomic_local_backend.AtomicLocalBackend.__dict__['put'] is \
            not before['put']
    assert patched_attributes() == before


def test_an_unknown_fault_is_refused():
    with pytest.raises(ValueError, match="unknown fault 'kill-all'"):
        with injected('kill-all', 1):
            pass


def test_disk_full_strikes_at_its_save(tmp_path):
    backend = atomic_local_backend.AtomicLocalBackend()
    with injected('disk-full', 2):
        backend.put(b'first', tmp_path / 'iter_1.pth')
        backend.put_text('pointer', tmp_path / 'last_checkpoint')  # no .pth
        with pytest.raises(OSError, match='No space left on device'):
            backend.put(b'second', tmp_path / 'iter_2.pth')
    assert sorted(os.listdir(tmp_path)) == ['iter_1.pth', 'last_checkpoint']


@pytest.mark.parametrize('fault', ['kill-after-iter', 'explode', 'stop-rank1'])
def test_the_fault_hook_is_registered_for_its_block_only(fault):
    from mmengine.registry import HOOKS

    from mmrazor_dfad.testing._internal.fault_injection import \
        FaultInjectionHook
    assert 'FaultInjectionHook' not in HOOKS.module_dict
    with injected(fault, 3):
        assert HOOKS.get('FaultInjectionHook') is FaultInjectionHook
    assert 'FaultInjectionHook' not in HOOKS.module_dict
