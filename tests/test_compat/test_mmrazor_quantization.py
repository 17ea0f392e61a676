# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import subprocess
import sys

import pytest

import mmrazor_dfad
from mmrazor_dfad import compat


def test_mmrazor_imports_on_this_torch():
    import mmrazor.models  # noqa: F401
    from mmrazor.models import ConfigurableDistiller, DataFreeDistillation
    from mmrazor.utils import register_all_modules
    register_all_modules(False)
    assert DataFreeDistillation.__module__.startswith('mmrazor.')
    assert ConfigurableDistiller is not None


def test_stand_ins_only_where_needed():
    assert compat.mmrazor_stand_ins_active() == (
        not compat.mmrazor_quantization_importable())


@pytest.mark.skipif(
    compat.mmrazor_quantization_importable(),
    reason='this torch still has what MMRazor quantization needs')
def test_quantization_use_says_why():
    from mmrazor.structures.quantization import BackendConfigs, QConfigHandler
    with pytest.raises(ImportError, match='MMRazor 1.0.0 quantization'):
        QConfigHandler(dict())
    with pytest.raises(ImportError, match='issues #615/#632'):
        BackendConfigs['native']
    assert mmrazor_dfad.ensure_mmrazor_importable() is True  # idempotent


@pytest.mark.integration
def test_nothing_done_where_mmrazor_already_imports():
    # Pretend the torch names MMRazor needs exist: the compat layer must then
    # leave sys.modules alone.
    code = '''
import sys, types, importlib
import torch.ao.quantization.fuser_method_mappings as f
import torch.ao.quantization.backend_config as b
import torch.ao.quantization.qconfig_mapping as q
for m, names in (
        (f, ('reverse2', 'reverse3', 'reverse_sequential_wrapper2')),
        (b, ('BackendPatternConfig', 'DTypeConfig', 'ObservationType')),
        (q, ('_FIXED_QPARAMS_OP_TO_OBSERVER',))):
    for n in names:
        if not hasattr(m, n):
            setattr(m, n, object())
import mmrazor_dfad
from mmrazor_dfad import compat
assert compat.mmrazor_quantization_importable()
assert not compat.mmrazor_stand_ins_active()
assert not any(n in sys.modules for n in compat.QUANTIZATION_MODULES)
print('untouched')
'''
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert 'untouched' in out.stdout
