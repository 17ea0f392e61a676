# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Export the student of a DFAD checkpoint for the library it was built
from: MMCls, MMPretrain or MMSeg
(``tools/model_converters/export_student.py``).

Writes ``OUT.pth`` (``{'state_dict': student weights, 'meta': ...}``, keys
that the student's model loads strictly) and ``OUT.py``, a config of the
student alone (``model``: the DFAD config's ``model.architecture``, with its
test data), in the library's own scope (``default_scope='mmcls'``,
``'mmpretrain'`` or ``'mmseg'``). One of three configs, and the tool says
which it wrote:

- **stock**: every module of the student exists in the library (or in
  MMEngine / MMCV), e.g. MMCls's CIFAR ResNets or MMSeg's segmentors. The
  config names only those modules: ``mmcls.apis.init_model(OUT.py, OUT.pth)``
  builds the student in a process that has never heard of ``mmrazor_dfad``.
- **source**: the student uses a module of this package that the library
  has no equivalent of, and that module needs nothing else of this package,
  e.g. ``DAFLLeNet5`` (LeNet-5-half: 3-8-60 channels, ReLU, max pooling;
  MMCls's ``LeNet5`` has fixed 6-16-120 channels, Tanh and average pooling
  and cannot express it). Its source travels beside the checkpoint as
  ``OUT_modules.py``, registering into the library's own registry, and the
  config imports it (``custom_imports``): with that folder on ``PYTHONPATH``
  (MMEngine's rule for custom modules) the library's ``init_model`` builds
  the student without ``mmrazor_dfad``. The export builds it so in a fresh
  process before it returns.
- **custom_imports**: a module that needs more of this package: the config
  declares ``custom_imports=dict(imports=['mmrazor_dfad'])`` and gives those
  modules ``_scope_='mmrazor_dfad'``, so the library's ``init_model`` builds
  it wherever ``mmrazor_dfad`` is installed.

On ``mmcv-lite``, MMSeg's API needs the compiled ops of ``mmcv._ext``
(``No module named 'mmcv._ext'``) unless ``mmrazor_dfad``, whose compat
layer stands in for them, is imported first (full mmcv lifts this)::

    import mmrazor_dfad  # noqa: F401  (mmcv-lite: stands in for mmcv._ext)
    from mmseg.apis import inference_model, init_model
    model = init_model('OUT.py', 'OUT.pth', 'cpu')

Relative data paths of the test data are made absolute when they exist from
the folder the export runs in; otherwise the tool names the key to set.
"""
import argparse
import ast
import copy
import hashlib
import importlib
import inspect
import os
import os.path as osp
import re
import subprocess
import sys
from typing import Any, List, Optional

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import CheckpointLoader

from mmrazor_dfad.models.tasks import EXPORT_LIBRARIES as LIBRARIES
from mmrazor_dfad.models.tasks import build_task
from mmrazor_dfad.utils import checkpoint_safe_globals, find_best_checkpoint

PREFIX = 'architecture.'
# Metrics that read the teacher's predictions (the student alone has none).
TEACHER_METRICS = ('TeacherStudentMetric', 'SegTeacherStudentMetric')
SCOPE = 'mmrazor_dfad'
STOCK = 'stock'
SOURCE = 'source'
CUSTOM_IMPORTS = 'custom_imports'
# The one import of this package a module may make and still travel as
# source: its registry, which the copy takes from the library instead.
REGISTRY_IMPORT = 'from mmrazor_dfad.registry import MODELS'
# What a user of an exported segmentor on mmcv-lite runs (tested).
MMSEG_SNIPPET = (
    "import mmrazor_dfad  # noqa: F401  (mmcv-lite: stands in for mmcv._ext)\n"
    'from mmseg.apis import inference_model, init_model\n'
    "model = init_model('{config}', '{checkpoint}', 'cpu')")
# Keys of a dataset config that hold paths.
_PATH_KEYS = ('data_prefix', 'ann_file')


def student_test_settings(cfg: Config, library: str = 'mmseg') -> dict:
    """The DFAD config's real test data and student metrics, for the student
    alone: metrics of the teacher (``TeacherStudentMetric``), the
    label-free banks and the data-free loops need the DFAD model; a config
    with no real test data gives none. MMSeg's (``library``) inference API
    also reads the top-level ``test_pipeline``."""
    loader = cfg.get('test_dataloader')
    if not loader or loader.get('dataset',
                                {}).get('type') == 'GeneratedBankDataset':
        return {}
    evaluator = cfg.get('test_evaluator')
    evaluators = evaluator if isinstance(evaluator, list) else [evaluator]
    evaluators = [
        e for e in evaluators if e and e.get('type') not in TEACHER_METRICS
    ]
    settings = dict(
        test_dataloader=loader,
        test_evaluator=evaluators[0] if len(evaluators) == 1 else evaluators,
        test_cfg=dict(type='TestLoop'))
    # MMSeg's inference API reads the top-level test pipeline (MMCls's and
    # MMPretrain's read the test dataloader's).
    if library == 'mmseg' and cfg.get('test_pipeline') is not None:
        settings['test_pipeline'] = cfg.test_pipeline
    return settings


def _registry(scope: str, name: str = 'MODELS'):
    """The ``name`` registry of ``scope`` (None if it cannot be imported)."""
    try:
        return getattr(importlib.import_module(f'{scope}.registry'), name)
    except (ImportError, AttributeError):
        return None


def _lookup(scope: str, type_name: str, registry_name: str):
    """The class ``type_name`` names from ``scope`` (None if none)."""
    registry = _registry(scope, registry_name)
    if registry is None or not isinstance(type_name, str):
        return None
    try:
        return registry.get(type_name)
    except (KeyError, ImportError):
        return None


def _is_ours(cls: Any) -> bool:
    """Whether building ``cls`` needs this package (or MMRazor, which it
    makes importable)."""
    return getattr(cls, '__module__', '').split('.')[0] in (SCOPE, 'mmrazor')


def _written_type(cls: Any, name: str, library: str, new_scope: str,
                  registry_name: str) -> Optional[tuple]:
    """``(type, _scope_)`` that names ``cls`` in the written config, where
    unscoped types resolve in ``new_scope``; None if none does."""
    if _lookup('mmengine', name, registry_name) is cls:
        # MMEngine's and MMCV's modules: found from every scope unless a
        # scope in effect registered the name again.
        if _lookup(new_scope, name, registry_name) is cls:
            return name, None
        return f'mmengine.{name}', None
    if _lookup(library, name, registry_name) is cls:
        # Prefixed: the library's classifiers build their data
        # preprocessor through MMEngine's root registry, which finds
        # ``mmcls.X`` (its child) but not ``X`` (mmcls.apis.init_model sets
        # no default scope).
        return f'{library}.{name}', None
    if _lookup(SCOPE, name, registry_name) is cls:
        # ``_scope_`` reaches our registry from any scope (a prefix would
        # not: it is not a direct child of MMEngine's root).
        return name, SCOPE
    return None


def portable_model_cfg(node: Any,
                       library: str,
                       scope: str,
                       custom: List[str],
                       new_scope: Optional[str] = None,
                       key: str = '') -> Any:
    """``node`` (a model config) with every ``type`` written for a config of
    ``default_scope=library`` that the library's API builds.

    Each type is resolved where the student was built (``scope``) and
    written so that it names the same class from any scope: MMEngine's and
    MMCV's modules as they are, the library's with its prefix
    (``mmcls.ImageClassifier``), a module of this package with
    ``_scope_='mmrazor_dfad'`` (its name is added to ``custom``).

    Args:
        node: A model config (dict), a list of them or a value.
        library (str): The library's scope.
        scope (str): The scope ``node``'s types resolve in, where it was
            trained (the DFAD config's default scope, or a ``_scope_``).
        custom (list[str]): Collects the types that need this package.
        new_scope (str, optional): The scope ``node``'s unscoped types
            resolve in, in the written config. Defaults to ``library``.
        key (str): The key of ``node`` in its parent (``init_cfg`` types are
            weight initialisers).

    Returns:
        The rewritten copy of ``node``.
    """
    new_scope = new_scope or library
    if isinstance(node, (list, tuple)):
        return type(node)(
            portable_model_cfg(item, library, scope, custom, new_scope, key)
            for item in node)
    if not isinstance(node, dict):
        return node
    node = dict(node)
    written_scope = node.pop('_scope_', None)
    scope = written_scope or scope
    type_name = node.get('type')
    registry_name = 'WEIGHT_INITIALIZERS' if key == 'init_cfg' else 'MODELS'
    cls = _lookup(scope, type_name, registry_name) if isinstance(
        type_name, str) else None
    written = cls and _written_type(cls,
                                    type_name.rsplit('.', 1)[-1], library,
                                    new_scope, registry_name)
    out = {}
    if written:
        out['type'], new_type_scope = written
        if new_type_scope:
            out['_scope_'] = new_scope = new_type_scope
        if _is_ours(cls):
            custom.append(out['type'])
    elif written_scope:  # not found: leave it as it was written
        out['_scope_'] = new_scope = written_scope
    for sub_key, value in node.items():
        if sub_key != 'type' or not written:
            out[sub_key] = portable_model_cfg(value, library, scope, custom,
                                              new_scope, sub_key)
    return out


# The registries the types of a test dataloader, evaluator and loop are in.
_DATA_REGISTRIES = ('DATASETS', 'TRANSFORMS', 'METRICS', 'DATA_SAMPLERS',
                    'LOOPS', 'MODELS')


def scope_own_types(node: Any, scope: str, custom: List[str]) -> Any:
    """``node`` (test data settings) with ``_scope_='mmrazor_dfad'`` on each
    unscoped type that resolved to a module of this package (added to
    ``custom``); every other type is kept as written (the settings are read
    in the library's scope, e.g. MMSeg's top-level ``test_pipeline``).

    Args:
        node: Settings (dict), a list of them or a value.
        scope (str): The scope ``node``'s unscoped types resolve in, where
            it was trained.
        custom (list[str]): Collects the types that need this package.

    Returns:
        The rewritten copy of ``node``.
    """
    if isinstance(node, (list, tuple)):
        return type(node)(
            scope_own_types(item, scope, custom) for item in node)
    if not isinstance(node, dict):
        return node
    node = dict(node)
    scope = node.get('_scope_') or scope
    type_name = node.get('type')
    if scope == SCOPE and isinstance(type_name, str) and '.' not in type_name:
        for registry_name in _DATA_REGISTRIES:
            cls = _lookup(SCOPE, type_name, registry_name)
            if cls is not None:
                if _is_ours(cls):
                    node['_scope_'] = SCOPE
                    custom.append(type_name)
                break
    return {
        key: scope_own_types(value, scope, custom)
        for key, value in node.items()
    }


def _resolve_cfg_path(architecture: dict) -> dict:
    """An MMRazor ``cfg_path='mmcls::...'`` student as the model config it
    names (in that package's scope)."""
    from mmengine.hub import get_config
    package = architecture['cfg_path'].split('::')[0]
    with DefaultScope.overwrite_default_scope(package):
        library_cfg = get_config(architecture['cfg_path'])
    model = copy.deepcopy(library_cfg.model.to_dict())
    model['_scope_'] = package
    for key, value in architecture.items():
        if key not in ('cfg_path', 'pretrained'):
            model.setdefault(key, value)
    if library_cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor',
                         dict(library_cfg.data_preprocessor, _scope_=package))
    return model


# What each library's classifier or segmentor builds without a
# data_preprocessor (MMPretrain's also hands it ``batch_augments``, which
# MMEngine's ImgDataPreprocessor does not take).
_DEFAULT_PREPROCESSORS = {
    'mmcls': 'mmcls.ClsDataPreprocessor',
    'mmpretrain': 'mmpretrain.ClsDataPreprocessor',
    'mmseg': 'mmseg.SegDataPreProcessor'
}


def student_preprocessor(student: dict, algorithm: dict, library: str,
                         scope: str) -> dict:
    """The student's data preprocessor with the algorithm's normalisation,
    which is what prepared the real images the student was validated on.

    The student's own preprocessor (or its library's default) keeps its
    type; each setting of the algorithm's that it takes is copied over
    (``bgr_to_rgb`` as ``to_rgb`` where only that is taken).

    Args:
        student (dict): The student's model config.
        algorithm (dict): The algorithm's ``data_preprocessor``.
        library (str): The student's library.
        scope (str): The scope the student's types resolve in.

    Returns:
        dict: The student's ``data_preprocessor``.
    """
    own = dict(student.get('data_preprocessor') or {})
    if not own.get('type'):  # the classifier's default
        own['type'] = _DEFAULT_PREPROCESSORS.get(library,
                                                 algorithm.get('type'))
    own_scope = own.get('_scope_') or student.get('_scope_') or scope
    cls = _lookup(own_scope, own.get('type'), 'MODELS')
    if cls is None:
        return algorithm
    from mmrazor_dfad.utils.config_keys import accepted_arguments
    accepted = accepted_arguments(cls)
    for key, value in algorithm.items():
        if key in ('type', '_scope_'):
            continue
        if key in accepted:
            own[key] = value
        elif key in ('bgr_to_rgb', 'rgb_to_bgr') and 'to_rgb' in accepted:
            own['to_rgb'] = value
    return own


def student_library(cfg: Config, student: dict) -> str:
    """The library the student is exported for, as the config's task
    (``model.task``, built in the config's scope) tells: MMSeg for a
    segmentation task; for classification the scope of the student's
    classifier (``mmcls.`` / ``mmpretrain.`` prefix, ``_scope_`` or the
    config's default scope), else the classification library installed."""
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope') or SCOPE):
        task = build_task(cfg.model.get('task'))
    return task.export_library(student, cfg.get('default_scope'))


def _anchor(path: str, base: str) -> Optional[str]:
    """``path`` made absolute from ``base`` if it exists there."""
    if not path or osp.isabs(path) or '://' in path:
        return path
    absolute = osp.normpath(osp.join(base, path))
    return absolute if osp.exists(absolute) else None


def anchor_data_paths(settings: dict, base: str) -> List[str]:
    """Make the relative data paths of the test dataloader absolute
    (in place) where they exist from ``base``.

    Returns:
        list[str]: ``key=path`` of each path that does not exist from
        ``base`` (left relative).
    """
    unresolved = []

    def visit(dataset, prefix):
        if isinstance(dataset, list):
            for index, item in enumerate(dataset):
                visit(item, f'{prefix}.{index}')
            return
        if not isinstance(dataset, dict):
            return
        keys = ('data_root', ) if dataset.get('data_root') else _PATH_KEYS
        for key in keys:
            value = dataset.get(key)
            if not isinstance(value, str) or not value:
                continue
            anchored = _anchor(value, base)
            if anchored is None:
                unresolved.append(f'{prefix}.{key}={value}')
            else:
                dataset[key] = anchored
        for key in ('dataset', 'datasets'):
            if key in dataset:
                visit(dataset[key], f'{prefix}.{key}')

    loader = settings.get('test_dataloader')
    if loader:
        visit(loader.get('dataset'), 'test_dataloader.dataset')
    return unresolved


def _test_dataset_meta(settings: dict, library: str) -> Optional[dict]:
    """The class names of the test dataset (its ``metainfo``, or its
    class's ``METAINFO``), for a checkpoint that recorded none."""
    dataset = (settings.get('test_dataloader') or {}).get('dataset') or {}
    if dataset.get('metainfo'):
        return dict(dataset['metainfo'])
    type_name = dataset.get('type')
    if not isinstance(type_name, str):
        return None
    cls = _lookup(dataset.get('_scope_') or library, type_name, 'DATASETS')
    metainfo = getattr(cls, 'METAINFO', None)
    return dict(metainfo) if metainfo else None


def standalone_source(classes: List[type], library: str) -> Optional[str]:
    """The source of one module that defines ``classes`` and registers them
    in the library's ``MODELS``, importing nothing of this package.

    Each defining module is copied whole, with its registry import
    (``REGISTRY_IMPORT``) pointed at ``{library}.registry``.

    Args:
        classes (list[type]): Modules of this package the student uses.
        library (str): The library's scope.

    Returns:
        str, optional: The source; None if a defining module imports more
        of this package (or of MMRazor), or registers its classes elsewhere.
    """
    modules = []
    for cls in classes:
        module = sys.modules.get(cls.__module__)
        if module is None:
            return None
        if module not in modules:
            modules.append(module)
    parts = []
    for module in modules:
        source = inspect.getsource(module)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or '']
                if node.level:  # relative: a sibling of this package
                    return None
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.split('.')[0] in (SCOPE, 'mmrazor') for name in
                   names) and ast.unparse(node).strip() != REGISTRY_IMPORT:
                return None
        if source.count(REGISTRY_IMPORT) != 1:
            return None
        parts.append(f'# {module.__name__}, registered in {library}\'s '
                     'MODELS.\n' +
                     source.replace(REGISTRY_IMPORT,
                                    f'from {library}.registry import MODELS'))
    return '\n\n'.join(parts)


def _source_module_name(out: str) -> str:
    """The importable name of the module written beside ``out``."""
    stem = re.sub(r'\W', '_', osp.splitext(osp.basename(out))[0])
    return f'{stem}_modules' if stem[:1].isalpha() else f'm_{stem}_modules'


def _unscope(node: Any, names: List[str]) -> Any:
    """``node`` with ``_scope_`` dropped from the types in ``names`` (they
    are registered in the library's scope by the copied source)."""
    if isinstance(node, (list, tuple)):
        return type(node)(_unscope(item, names) for item in node)
    if not isinstance(node, dict):
        return node
    node = {key: _unscope(value, names) for key, value in node.items()}
    if node.get('type') in names and node.get('_scope_') == SCOPE:
        node.pop('_scope_')
    return node


# Builds an exported model where mmrazor_dfad cannot be imported, as the
# library would, and loads its weights strictly.
_FRESH_BUILD = '''
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'mmrazor_dfad':
            raise ImportError(name + ' is not importable here')
sys.meta_path.insert(0, Refuse())
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from {library}.registry import MODELS
config, checkpoint = sys.argv[1:3]
cfg = Config.fromfile(config)
with DefaultScope.overwrite_default_scope('{library}'):
    model = MODELS.build(cfg.model)
state = torch.load(checkpoint, map_location='cpu', weights_only=False)
model.load_state_dict(state['state_dict'], strict=True)
'''


def _check_without_package(config: str, checkpoint: str, library: str):
    """Build the exported student in a fresh process that cannot import
    ``mmrazor_dfad``, with the config's folder on ``PYTHONPATH``: a source
    export that needs this package fails here, not at the user."""
    # Absolute paths: the process starts in the config's folder.
    config, checkpoint = osp.abspath(config), osp.abspath(checkpoint)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [osp.dirname(config)] +
        [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    ran = subprocess.run([
        sys.executable, '-c',
        _FRESH_BUILD.format(library=library), config, checkpoint
    ],
                         env=env,
                         cwd=osp.dirname(config),
                         capture_output=True,
                         text=True)
    if ran.returncode != 0:
        raise RuntimeError(
            f'The exported {config} does not build without mmrazor_dfad; '
            f'its copied source needs more of the package:\n'
            f'{ran.stderr[-2000:]}')


def _check_strict_load(model_cfg: dict, library: str, state_dict: dict):
    """Build the exported model as the library would and load the weights
    strictly: an export that could not load fails here, not at the user."""
    registry = _registry(library)
    with DefaultScope.overwrite_default_scope(library):
        model = registry.build(copy.deepcopy(model_cfg))
    model.load_state_dict(state_dict, strict=True)


def export_student(config: str, checkpoint: str, out: str) -> dict:
    """Write the student of ``checkpoint`` to ``out`` and its config beside.

    Args:
        config (str): The DFAD config the checkpoint was trained with.
        checkpoint (str): A DataFreeDistillation checkpoint.
        out (str): Where to write the student's ``.pth``; its config goes
            to the same path with ``.py``.

    Returns:
        dict: ``checkpoint`` and ``config`` (the written paths), ``sha256``
        of the checkpoint, ``num_tensors`` in it, ``library`` (its scope),
        ``route`` (``'stock'``, ``'source'`` or ``'custom_imports'``),
        ``custom_types`` (the modules of this package it uses), ``module``
        (the copied source, route ``'source'``) and ``unresolved_paths``
        (``key=path`` of test data paths left relative).
    """
    with checkpoint_safe_globals():
        ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state_dict = ckpt.get('state_dict', ckpt)
    student = {
        key[len(PREFIX):]: value
        for key, value in state_dict.items() if key.startswith(PREFIX)
    }
    if not student:
        raise KeyError(f'{checkpoint} has no "{PREFIX}*" weights: is it a '
                       'DataFreeDistillation checkpoint?')

    cfg = Config.fromfile(config)
    student_model = cfg.model.architecture.to_dict()
    if student_model.get('cfg_path') and not student_model.get('type'):
        student_model = _resolve_cfg_path(student_model)
    # The algorithm normalises the real images for its student; alone, the
    # student needs that normalisation in its own config.
    # (MMSeg configs give it at the top level, which the runner passes on.)
    library = student_library(cfg, student_model)
    preprocessor = cfg.model.get('data_preprocessor') or cfg.get(
        'data_preprocessor')
    if preprocessor:
        student_model['data_preprocessor'] = student_preprocessor(
            student_model, preprocessor.to_dict(), library,
            cfg.get('default_scope') or library)
    custom: List[str] = []
    model_cfg = portable_model_cfg(student_model, library,
                                   cfg.get('default_scope') or library, custom)
    _check_strict_load(model_cfg, library, student)

    settings = student_test_settings(cfg, library)
    data_custom: List[str] = []
    if settings:
        settings = scope_own_types(
            Config(settings).to_dict(),
            cfg.get('default_scope') or library, data_custom)
    unresolved = anchor_data_paths(settings, os.getcwd())
    source = None
    if custom and not data_custom:
        source = standalone_source(
            [_lookup(SCOPE, name, 'MODELS') for name in sorted(set(custom))],
            library)
    custom += data_custom
    route = (SOURCE if source else CUSTOM_IMPORTS) if custom else STOCK

    meta = dict(
        exported_from=osp.abspath(checkpoint),
        iter=ckpt.get('meta', {}).get('iter'),
        best_checkpoint=ckpt.get('meta', {}).get('best_checkpoint'),
        library=library,
        route=route)
    dataset_meta = ckpt.get('meta', {}).get('dataset_meta') or \
        _test_dataset_meta(settings, library)
    if dataset_meta:
        # The class names, which the libraries' APIs read (MMCls fails on a
        # dataset_meta of None).
        meta['dataset_meta'] = dataset_meta
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.save(dict(state_dict=student, meta=meta), out)

    config_out = osp.splitext(out)[0] + '.py'
    module_out = None
    if route == SOURCE:
        module_name = _source_module_name(out)
        module_out = osp.join(osp.dirname(config_out), module_name + '.py')
        with open(module_out, 'w') as file:
            file.write('# Exported by mmrazor_dfad with the student beside '
                       'it: the modules it uses, standalone.\n' + source)
        model_cfg = _unscope(model_cfg, custom)
        imports = [module_name]
    else:
        imports = [SCOPE]
    student_cfg = dict(default_scope=library, model=model_cfg, **settings)
    if custom:
        student_cfg = dict(
            custom_imports=dict(imports=imports, allow_failed_imports=False),
            **student_cfg)
    with open(config_out, 'w') as file:
        file.write(
            _header(library, route, custom, unresolved) +
            Config(student_cfg).pretty_text)
    if route == SOURCE:
        _check_without_package(config_out, out, library)
    with open(out, 'rb') as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    return dict(
        checkpoint=out,
        config=config_out,
        sha256=digest,
        num_tensors=len(student),
        library=library,
        route=route,
        custom_types=sorted(set(custom)),
        module=module_out,
        unresolved_paths=unresolved)


def _header(library: str, route: str, custom: List[str],
            unresolved: List[str]) -> str:
    """The comment that opens an exported config."""
    name = LIBRARIES[library]
    lines = [f'Student exported by mmrazor_dfad for {name}.']
    if route == STOCK:
        lines.append(f'Only {name} / MMEngine modules' + (
            '.' if library == 'mmseg' else ': builds without mmrazor_dfad.'))
    elif route == SOURCE:
        lines.append(f'Uses {", ".join(sorted(set(custom)))} (no {name} '
                     'equivalent), whose source is beside this file: put '
                     'this folder on PYTHONPATH; mmrazor_dfad is not needed.')
    else:
        lines.append(f'Uses {", ".join(sorted(set(custom)))} of mmrazor_dfad '
                     f'(no {name} equivalent): custom_imports imports it.')
    if library == 'mmseg':
        lines.append('On mmcv-lite, `import mmrazor_dfad` before '
                     '`from mmseg.apis import init_model`.')
    for path in unresolved:
        lines.append(f'Relative data path (set it where you test): {path}')
    return ''.join(f'# {line}\n' for line in lines)


def describe_export(result: dict) -> List[str]:
    """What the export tool prints: the files, which config it wrote and
    how to load the student."""
    name = LIBRARIES[result['library']]
    config, checkpoint = result['config'], result['checkpoint']
    lines = [
        f"student: {checkpoint} ({result['num_tensors']} tensors, sha256 "
        f"{result['sha256'][:16]}...), config: {config}"
    ]
    if result['route'] == STOCK:
        lines.append(f'wrote a stock {name} config: only {name} / MMEngine '
                     'modules' +
                     ('.' if result['library'] ==
                      'mmseg' else ', loads without mmrazor_dfad.'))
    elif result['route'] == SOURCE:
        lines.append(
            f"wrote a source config: {name} has no equivalent of "
            f"{', '.join(result['custom_types'])}, whose source is in "
            f"{result['module']}; with its folder on PYTHONPATH the student "
            'loads without mmrazor_dfad (checked in a fresh process).')
    else:
        lines.append(
            f"wrote a custom_imports config: {name} has no equivalent of "
            f"{', '.join(result['custom_types'])}, so the config imports "
            f'mmrazor_dfad (which must be installed where it loads).')
    if result['library'] == 'mmseg':
        lines.append('On mmcv-lite (no compiled mmcv._ext), import '
                     'mmrazor_dfad before mmseg.apis (full mmcv lifts this):')
        lines += [
            '    ' + line for line in MMSEG_SNIPPET.format(
                config=config, checkpoint=checkpoint).splitlines()
        ]
    else:
        api = 'mmcls.apis.init_model' if result['library'] == 'mmcls' \
            else 'mmpretrain.apis.get_model'
        module, function = api.rsplit('.', 1)
        load = f"{api}('{config}', '{checkpoint}')"
        if result['route'] == SOURCE:
            load = (f'PYTHONPATH={osp.dirname(osp.abspath(config))} '
                    f'python -c "from {module} import {function}; '
                    f"{function}('{config}', '{checkpoint}')\"")
        lines.append(f'load it: {load}')
    for path in result['unresolved_paths']:
        key, value = path.split('=', 1)
        lines.append(f'test data: {value} does not exist from {os.getcwd()} '
                     f'and is left relative: set --cfg-options '
                     f'{key}=/path/to/data when testing.')
    return lines


def main(argv: Optional[List[str]] = None) -> dict:
    """Export as ``tools/model_converters/export_student.py ARGV`` does."""
    parser = argparse.ArgumentParser(
        description='Export the student of a DFAD checkpoint')
    parser.add_argument('config', help='the DFAD config')
    parser.add_argument(
        'checkpoint', help='the DFAD checkpoint (with --best: the work dir)')
    parser.add_argument('out', help='output .pth of the student')
    parser.add_argument(
        '--best',
        action='store_true',
        help='export the best_*.pth of the work dir given as checkpoint')
    args = parser.parse_args(argv)
    checkpoint = args.checkpoint
    if args.best:
        best = find_best_checkpoint(args.checkpoint)
        checkpoint = best['path']
        chosen = '; '.join(
            f"{s['metric']} = {s['score']:.4f} ({s['rule']})"
            for s in best['selected_by']) or 'a score not recorded'
        print(f'best checkpoint: {checkpoint}, selected by {chosen}')
    result = export_student(args.config, checkpoint, args.out)
    for line in describe_export(result):
        print(line)
    return result
