# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Registries of mmrazor_dfad: children of MMRazor's, scope ``mmrazor_dfad``.

A config with ``default_scope='mmrazor_dfad'`` finds our modules first and
falls back to MMRazor's, then MMEngine's. Another MMRazor config reaches ours
with ``type='mmrazor_dfad.DataFreeDistillation'`` after
``custom_imports=dict(imports=['mmrazor_dfad'])``. ``locations`` lets MMEngine
import the registering modules on first use, so nothing is imported eagerly.
Modules of MMCls are reached with ``_scope_='mmcls'`` or an ``mmcls.`` prefix.
"""
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import Registry
from mmrazor.registry import DATA_SAMPLERS as MMRAZOR_DATA_SAMPLERS
from mmrazor.registry import DATASETS as MMRAZOR_DATASETS
from mmrazor.registry import HOOKS as MMRAZOR_HOOKS
from mmrazor.registry import LOOPS as MMRAZOR_LOOPS
from mmrazor.registry import METRICS as MMRAZOR_METRICS
from mmrazor.registry import MODELS as MMRAZOR_MODELS
from mmrazor.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMRAZOR_OPTIM_WRAPPER_CONSTRUCTORS
from mmrazor.registry import OPTIM_WRAPPERS as MMRAZOR_OPTIM_WRAPPERS
from mmrazor.registry import OPTIMIZERS as MMRAZOR_OPTIMIZERS
from mmrazor.registry import PARAM_SCHEDULERS as MMRAZOR_PARAM_SCHEDULERS
from mmrazor.registry import RUNNER_CONSTRUCTORS as MMRAZOR_RUNNER_CONSTRUCTORS
from mmrazor.registry import RUNNERS as MMRAZOR_RUNNERS
from mmrazor.registry import TASK_UTILS as MMRAZOR_TASK_UTILS
from mmrazor.registry import TRANSFORMS as MMRAZOR_TRANSFORMS
from mmrazor.registry import VISBACKENDS as MMRAZOR_VISBACKENDS
from mmrazor.registry import VISUALIZERS as MMRAZOR_VISUALIZERS
from mmrazor.registry import WEIGHT_INITIALIZERS as MMRAZOR_WEIGHT_INITIALIZERS

import mmrazor_dfad  # noqa: F401  (installs the PyTorch 2.x compat first)

SCOPE = 'mmrazor_dfad'

# Runners and their constructors (MMEngine's Runner is used as is).
RUNNERS = Registry('runner', parent=MMRAZOR_RUNNERS, scope=SCOPE)
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMRAZOR_RUNNER_CONSTRUCTORS, scope=SCOPE)
# Train / val / test loops.
LOOPS = Registry(
    'loop',
    parent=MMRAZOR_LOOPS,
    scope=SCOPE,
    locations=['mmrazor_dfad.engine'])
# Hooks: the sample-grid hook and others.
HOOKS = Registry(
    'hook',
    parent=MMRAZOR_HOOKS,
    scope=SCOPE,
    locations=['mmrazor_dfad.engine'])

# The data-free training source.
DATASETS = Registry(
    'dataset',
    parent=MMRAZOR_DATASETS,
    scope=SCOPE,
    locations=['mmrazor_dfad.datasets'])
# Samplers of datasets.
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMRAZOR_DATA_SAMPLERS, scope=SCOPE)
# Data transforms (real validation data uses MMCls's, with ``_scope_``).
TRANSFORMS = Registry(
    'transform',
    parent=MMRAZOR_TRANSFORMS,
    scope=SCOPE,
    locations=['mmrazor_dfad.datasets'])

# Algorithms, generators and classifiers; inherits MMRazor's build function,
# which understands ``cfg_path='mmcls::...'``.
MODELS = Registry(
    'model',
    parent=MMRAZOR_MODELS,
    scope=SCOPE,
    locations=['mmrazor_dfad.models'])
# Model wrappers for distributed training. A direct child of MMEngine's
# root: the runner looks wrappers up with ``MODEL_WRAPPERS.get(type)`` on the
# root, which reaches ``mmrazor_dfad.X`` only in its direct children.
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMENGINE_MODEL_WRAPPERS,
    scope=SCOPE,
    locations=['mmrazor_dfad.engine'])
# Weight initialisers.
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMRAZOR_WEIGHT_INITIALIZERS, scope=SCOPE)

# Optimizers (PyTorch's, through MMEngine).
OPTIMIZERS = Registry('optimizer', parent=MMRAZOR_OPTIMIZERS, scope=SCOPE)
# The alternating student/generator optimizer wrapper.
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMRAZOR_OPTIM_WRAPPERS,
    scope=SCOPE,
    locations=['mmrazor_dfad.engine'])
# Builds the alternating optimizer wrapper from config.
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMRAZOR_OPTIM_WRAPPER_CONSTRUCTORS,
    scope=SCOPE,
    locations=['mmrazor_dfad.engine'])
# Learning-rate and momentum schedulers.
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMRAZOR_PARAM_SCHEDULERS, scope=SCOPE)

# Metrics: teacher-student metrics of ours; top-k accuracy is MMCls's
# ``Accuracy`` with ``_scope_='mmcls'``.
METRICS = Registry(
    'metric',
    parent=MMRAZOR_METRICS,
    scope=SCOPE,
    locations=['mmrazor_dfad.evaluation'])
# Task utilities: recorders of intermediate results (BN statistics).
TASK_UTILS = Registry(
    'task util',
    parent=MMRAZOR_TASK_UTILS,
    scope=SCOPE,
    locations=['mmrazor_dfad.models'])
# Visualizers and their storage backends.
VISUALIZERS = Registry('visualizer', parent=MMRAZOR_VISUALIZERS, scope=SCOPE)
VISBACKENDS = Registry('vis_backend', parent=MMRAZOR_VISBACKENDS, scope=SCOPE)
