# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Make MMSegmentation 1.x's models importable on ``mmcv-lite``.

``mmcv-lite`` ships ``mmcv.ops`` without its compiled extension, so
``import mmcv.ops`` fails (``No module named 'mmcv._ext'``). MMSegmentation
1.2.2 imports compiled ops at module level in four places
(``mmseg/utils/mask_classification.py``, ``models/utils/point_sample.py``,
``models/losses/focal_loss.py``, ``models/decode_heads/san_head.py``), so
``import mmseg.models`` dies even for an FCN that uses none of them.

When (and only when) ``import mmcv.ops`` fails, :func:`ensure_mmseg_importable`
puts a stand-in ``mmcv.ops`` module in :data:`sys.modules`. It has the op
names MMSegmentation imports (:data:`MMSEG_OPS`); each is a class (so
``isinstance`` checks still work) or function that raises
:class:`CompiledOpUnavailable`, naming the op and the fix, as soon as it is
built or called. Any other name raises the same ``ModuleNotFoundError`` as
before, so code that falls back when an op is missing still falls back.
Nothing installed is edited. A computation never silently gives another
result: a model that needs a compiled op fails when it is built (classes)
or run (functions).
"""
import importlib
import importlib.machinery
import importlib.util
import sys
import types
import warnings

import torch.nn as nn

STAND_IN_MARKER = '__mmrazor_dfad_stand_in__'

# What MMSegmentation 1.2.2 imports from mmcv.ops: classes and functions.
MMSEG_OP_CLASSES = ('CrissCrossAttention', 'DeformConv2d',
                    'ModulatedDeformConv2d', 'PSAMask')
MMSEG_OP_FUNCTIONS = ('point_sample', 'sigmoid_focal_loss')
MMSEG_OPS = MMSEG_OP_CLASSES + MMSEG_OP_FUNCTIONS


class CompiledOpUnavailable(RuntimeError):
    """A compiled ``mmcv.ops`` op was used on ``mmcv-lite``."""


def _message(name: str) -> str:
    return (f'mmcv.ops.{name} is a compiled op, and mmcv-lite has none. '
            f'Install the full mmcv (e.g. `mim install "mmcv>=2.0.0,<2.2.0"`'
            ' built for your torch) for models that use it; FCN, PSPNet, '
            'DeepLabV3(+), UNet and the other heads listed in '
            'docs/segmentation.md run without it.')


def _unavailable_class(name: str) -> type:
    """A module class that cannot be built (``isinstance`` stays False)."""

    def __init__(self, *args, **kwargs):
        raise CompiledOpUnavailable(_message(name))

    return type(
        name, (nn.Module, ), {
            '__init__': __init__,
            '__doc__': f'Stand-in: {_message(name)}',
            '__module__': 'mmcv.ops',
        })


def _unavailable_function(name: str):
    """A function that raises when called."""

    def op(*args, **kwargs):
        raise CompiledOpUnavailable(_message(name))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f'Stand-in: {_message(name)}'
    op.__module__ = 'mmcv.ops'
    return op


def _missing_op(name: str):
    """Module ``__getattr__``: any other op is as missing as before."""
    if name.startswith('__') and name.endswith('__'):
        raise AttributeError(name)
    raise ModuleNotFoundError(
        f"No module named 'mmcv._ext' (mmcv.ops.{name}: {_message(name)})",
        name='mmcv._ext')


def mmcv_ops_importable() -> bool:
    """Whether the real ``mmcv.ops`` imports (full mmcv installed)."""
    if stand_in_active():
        return False
    try:
        importlib.import_module('mmcv.ops')
    except ImportError:
        return False
    return True


def stand_in_active() -> bool:
    """Whether ``mmcv.ops`` is the stand-in."""
    return getattr(sys.modules.get('mmcv.ops'), STAND_IN_MARKER, False)


# mmcv-lite's warning on importing mmcv.cnn (every command would print it).
MMCV_LITE_WARNING = 'Fail to import ``MultiScaleDeformableAttention``'
# The one line printed instead, once per process.
MMCV_LITE_NOTE = (
    'mmrazor_dfad: mmcv-lite (no compiled mmcv._ext): its compat layer '
    'stands in for the compiled ops MMSegmentation imports, so every model '
    'of this package (FCN, PSPNet, DeepLabV3(+), UNet heads, the '
    'classifiers) runs; deformable attention/convolutions and the other '
    'compiled ops need full mmcv (docs/install.md).')
_TRANSFORMER = 'mmcv.cnn.bricks.transformer'


class _QuietLoader:
    """Loads a module as its own loader would, with mmcv-lite's warning
    replaced by :data:`MMCV_LITE_NOTE` (other warnings pass through)."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def __getattr__(self, name):
        return getattr(self.loader, name)

    def create_module(self, spec):
        """The loader's module."""
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        """Run the module, catching its warnings."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            self.loader.exec_module(module)
        for warning in caught:
            if MMCV_LITE_WARNING in str(warning.message):
                print(MMCV_LITE_NOTE, file=sys.stderr)
            else:
                warnings.warn_explicit(warning.message, warning.category,
                                       warning.filename, warning.lineno)


class _MMCVLiteNoteFinder:
    """Finds ``mmcv.cnn.bricks.transformer`` once, for :class:`_QuietLoader`;
    leaves every other import to the other finders."""

    def find_spec(self, name, path=None, target=None):
        """A spec of the transformer module with the quiet loader."""
        if name != _TRANSFORMER:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)  # once per process
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def replace_mmcv_lite_warning() -> bool:
    """Print :data:`MMCV_LITE_NOTE` instead of mmcv-lite's warning when
    ``mmcv.cnn`` is first imported (once per process).

    Returns:
        bool: True if the note will replace the warning (mmcv.cnn not yet
        imported).
    """
    if _TRANSFORMER in sys.modules:
        return False
    if not any(isinstance(f, _MMCVLiteNoteFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MMCVLiteNoteFinder())
    return True


def ensure_mmseg_importable() -> bool:
    """Install the ``mmcv.ops`` stand-in if (and only if) it is needed.

    Safe to call many times; does nothing without mmcv or with the full
    mmcv.

    Returns:
        bool: True if the stand-in is in place after the call.
    """
    if stand_in_active():
        return True
    if importlib.util.find_spec('mmcv') is None or mmcv_ops_importable():
        return False
    # A failed import can leave half-initialised submodules behind.
    for module_name in [m for m in sys.modules if m.startswith('mmcv.ops.')]:
        del sys.modules[module_name]
    module = types.ModuleType('mmcv.ops', __doc__)
    for name in MMSEG_OP_CLASSES:
        setattr(module, name, _unavailable_class(name))
    for name in MMSEG_OP_FUNCTIONS:
        setattr(module, name, _unavailable_function(name))
    module.__all__ = list(MMSEG_OPS)
    module.__getattr__ = _missing_op
    module.__file__ = __file__
    setattr(module, STAND_IN_MARKER, True)
    sys.modules['mmcv.ops'] = module
    import mmcv
    mmcv.ops = module
    replace_mmcv_lite_warning()
    return True
