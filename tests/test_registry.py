# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import subprocess
import sys

import pytest
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmrazor.registry import MODELS as MMRAZOR_MODELS

from mmrazor_dfad.models import (DAFLDataFreeDistillation, DAFLGenerator,
                                 DataFreeDistillation)
from mmrazor_dfad.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS


def test_own_scope_first_then_mmrazor():
    assert MODELS.scope == 'mmrazor_dfad'
    assert MODELS.parent is MMRAZOR_MODELS
    assert MODELS.get('DataFreeDistillation') is DataFreeDistillation
    assert MODELS.get('DAFLGenerator') is DAFLGenerator
    # Falls back to MMRazor for what we do not redefine.
    distiller = MODELS.get('ConfigurableDistiller')
    assert distiller.__module__.startswith('mmrazor.models')
    # Our build function is MMRazor's (understands cfg_path=...).
    assert MODELS.build_func is MMRAZOR_MODELS.build_func


def test_reachable_from_other_scopes_by_prefix():
    assert MMRAZOR_MODELS.get('mmrazor_dfad.DataFreeDistillation') is \
        DataFreeDistillation
    # DAFL's type shadows MMRazor's under our scope, and is reachable from
    # MMRazor's by prefix.
    assert MODELS.get('DAFLDataFreeDistillation') is DAFLDataFreeDistillation
    assert MMRAZOR_MODELS.get('mmrazor_dfad.DAFLDataFreeDistillation') is \
        DAFLDataFreeDistillation
    assert MMRAZOR_MODELS.get('DAFLDataFreeDistillation') is not \
        DAFLDataFreeDistillation
    # From anywhere else in the tree, ``_scope_`` selects our registry.
    generator = MMENGINE_MODELS.build(
        dict(
            _scope_='mmrazor_dfad',
            type='DAFLGenerator',
            img_size=8,
            latent_dim=4,
            hidden_channels=4))
    assert isinstance(generator, DAFLGenerator)
    # MMRazor's own class is still what the mmrazor scope means.
    assert MMRAZOR_MODELS.get('DataFreeDistillation') is not \
        DataFreeDistillation
    assert OPTIM_WRAPPER_CONSTRUCTORS.get(
        'AlternatingOptimWrapperConstructor') is not None


@pytest.mark.integration
def test_custom_imports_from_an_mmrazor_config_in_a_fresh_process(tmp_path):
    # Nothing of ours is imported by hand: the config's custom_imports plus
    # the registry's locations must be enough.
    config = tmp_path / 'uses_dfad.py'
    config.write_text(
        "default_scope = 'mmrazor'\n"
        "custom_imports = dict(imports=['mmrazor_dfad'], "
        'allow_failed_imports=False)\n'
        "model = dict(type='mmrazor_dfad.DataFreeDistillation')\n")
    code = f'''
from mmengine.config import Config
cfg = Config.fromfile({str(config)!r})
from mmrazor.registry import MODELS
print(MODELS.get(cfg.model.type).__module__)
'''
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'mmrazor_dfad.models.algorithms' in out.stdout
