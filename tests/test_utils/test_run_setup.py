# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What tools/train.py changes in a config before the runner builds it."""
from mmengine.config import Config
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS, DefaultScope

from mmrazor_dfad.engine.optimizers import AlternatingOptimWrapperConstructor
from mmrazor_dfad.utils import (register_all_modules,
                                use_alternating_optim_wrapper)


def mmrazor_optim_cfg(**extra):
    return Config(
        dict(
            optim_wrapper=dict(
                constructor='mmrazor.SeparateOptimWrapperConstructor',
                architecture=dict(optimizer=dict(type='SGD', lr=0.1)),
                generator=dict(optimizer=dict(type='AdamW', lr=1e-3)),
                **extra)))


def test_mmrazor_separate_constructor_becomes_ours_from_any_scope():
    register_all_modules(init_default_scope=False)
    cfg = mmrazor_optim_cfg()
    note = use_alternating_optim_wrapper(cfg)
    assert 'AlternatingOptimWrapperConstructor' in note
    # MMRazor's DFAD configs keep default_scope='mmcls'.
    for scope in ('mmcls', 'mmrazor', 'mmrazor_dfad'):
        with DefaultScope.overwrite_default_scope(scope):
            assert OPTIM_WRAPPER_CONSTRUCTORS.get(
                cfg.optim_wrapper.constructor) is \
                AlternatingOptimWrapperConstructor
    assert cfg.optim_wrapper.architecture.optimizer.lr == 0.1


def test_other_optim_wrappers_are_left_alone():
    single = Config(
        dict(optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1))))
    assert use_alternating_optim_wrapper(single) is None
    assert 'constructor' not in single.optim_wrapper
    three = mmrazor_optim_cfg(discriminator=dict(optimizer=dict(type='SGD')))
    assert use_alternating_optim_wrapper(three) is None
    assert three.optim_wrapper.constructor == \
        'mmrazor.SeparateOptimWrapperConstructor'
