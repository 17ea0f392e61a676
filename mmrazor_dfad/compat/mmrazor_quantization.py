# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Make MMRazor 1.0.0 importable on PyTorch 2.x.

MMRazor 1.0.0 imports private PyTorch quantization helpers (``reverse2``,
``reverse3``, ``reverse_sequential_wrapper2``...) at import time from
``mmrazor/structures/quantization/backend_config``. PyTorch 2.x renamed them,
so ``import mmrazor.models`` dies with ``ImportError: torch>=1.13 is not
installed properly`` (MMRazor issues #615 and #632, never fixed in a release).

Only MMRazor's quantization features use those modules. Before MMRazor is
imported we put three stand-in modules in :data:`sys.modules`:

- ``mmrazor.structures.quantization``
- ``mmrazor.structures.quantization.backend_config``
- ``mmrazor.structures.quantization.qconfig``

Every public name they export is a :class:`QuantizationUnavailable` object,
which raises an :class:`ImportError` explaining the situation as soon as it is
called, indexed or inspected. Nothing installed is edited, and on a PyTorch
where MMRazor's quantization imports work, nothing is done at all.
"""
import importlib
import importlib.util
import sys
import types
from typing import Tuple

QUANTIZATION_MODULES: Tuple[str, ...] = (
    'mmrazor.structures.quantization',
    'mmrazor.structures.quantization.backend_config',
    'mmrazor.structures.quantization.qconfig',
)

# Names MMRazor's modules import from the three modules above.
_BACKEND_CONFIG_NAMES = (
    'BackendConfigs',
    'get_native_backend_config',
    'get_native_backend_config_dict',
    'get_academic_backend_config',
    'get_academic_backend_config_dict',
    'get_openvino_backend_config',
    'get_openvino_backend_config_dict',
    'get_tensorrt_backend_config',
    'get_tensorrt_backend_config_dict',
)
_QCONFIG_NAMES = ('QConfigHandler', 'QSchemeHandler')

# The private PyTorch helpers MMRazor 1.0.0 needs; their absence is exactly
# what breaks its import.
_REQUIRED_TORCH_NAMES = (
    ('torch.ao.quantization.fuser_method_mappings',
     ('reverse2', 'reverse3', 'reverse_sequential_wrapper2')),
    ('torch.ao.quantization.backend_config',
     ('BackendPatternConfig', 'DTypeConfig', 'ObservationType')),
    ('torch.ao.quantization.qconfig_mapping',
     ('_FIXED_QPARAMS_OP_TO_OBSERVER', )),
)

STAND_IN_MARKER = '__mmrazor_dfad_stand_in__'


class QuantizationUnavailable:
    """Placeholder for an MMRazor quantization name on PyTorch 2.x.

    Args:
        name (str): The MMRazor name it replaces, used in the message.
    """

    def __init__(self, name: str) -> None:
        object.__setattr__(self, '_name', name)

    def _fail(self, *args, **kwargs):
        raise ImportError(
            f'mmrazor.structures.quantization.{self._name} is unavailable: '
            'MMRazor 1.0.0 quantization does not work on this PyTorch '
            '(MMRazor issues #615/#632), so mmrazor_dfad replaced it to let '
            'the rest of MMRazor import. Use torch<2.0 for MMRazor '
            'quantization; distillation is unaffected.')

    __call__ = _fail
    __getitem__ = _fail
    __iter__ = _fail
    __contains__ = _fail

    def __getattr__(self, item):
        if item.startswith('__') and item.endswith('__'):
            raise AttributeError(item)
        self._fail()

    def __repr__(self) -> str:
        return f'<unavailable MMRazor quantization name {self._name!r}>'


def mmrazor_quantization_importable() -> bool:
    """Whether MMRazor's quantization modules can import on this PyTorch.

    Returns:
        bool: True when every private PyTorch name MMRazor 1.0.0 imports at
        module level exists.
    """
    for module_name, names in _REQUIRED_TORCH_NAMES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return False
        if not all(hasattr(module, name) for name in names):
            return False
    return True


def _make_stand_in(module_name: str, names: Tuple[str, ...],
                   is_package: bool) -> types.ModuleType:
    module = types.ModuleType(module_name, __doc__)
    for name in names:
        setattr(module, name, QuantizationUnavailable(name))
    module.__all__ = list(names)
    module.__file__ = __file__
    setattr(module, STAND_IN_MARKER, True)
    if is_package:
        module.__path__ = []  # lets Python treat it as a package
    return module


def ensure_mmrazor_importable() -> bool:
    """Install the quantization stand-ins if (and only if) MMRazor needs them.

    Safe to call many times. Does nothing when MMRazor is not installed, when
    its quantization modules were already imported, or when this PyTorch
    still provides what they need.

    Returns:
        bool: True if the stand-ins are in place after the call.
    """
    if mmrazor_stand_ins_active():
        return True
    if any(name in sys.modules for name in QUANTIZATION_MODULES):
        return False  # the real modules imported fine
    if mmrazor_quantization_importable():
        return False
    if importlib.util.find_spec('mmrazor') is None:
        return False

    backend_config = _make_stand_in(QUANTIZATION_MODULES[1],
                                    _BACKEND_CONFIG_NAMES, True)
    qconfig = _make_stand_in(QUANTIZATION_MODULES[2], _QCONFIG_NAMES, False)
    package = _make_stand_in(QUANTIZATION_MODULES[0],
                             _BACKEND_CONFIG_NAMES + _QCONFIG_NAMES, True)
    package.backend_config = backend_config
    package.qconfig = qconfig
    sys.modules[QUANTIZATION_MODULES[0]] = package
    sys.modules[QUANTIZATION_MODULES[1]] = backend_config
    sys.modules[QUANTIZATION_MODULES[2]] = qconfig
    return True


def mmrazor_stand_ins_active() -> bool:
    """Whether the quantization stand-ins replaced MMRazor's modules."""
    return all(
        getattr(sys.modules.get(name), STAND_IN_MARKER, False)
        for name in QUANTIZATION_MODULES)
