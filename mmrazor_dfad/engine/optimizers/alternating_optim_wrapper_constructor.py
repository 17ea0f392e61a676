# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import copy
from typing import Dict, Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor

from mmrazor_dfad.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmrazor_dfad.utils.errors import InvalidArgumentError
from .alternating_optim_wrapper import AlternatingOptimWrapper


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class AlternatingOptimWrapperConstructor:
    """Build an :class:`AlternatingOptimWrapper` for a DFAD algorithm.

    Each of ``architecture`` (student) and ``generator`` is an ordinary
    MMEngine optimizer-wrapper config (``type``, ``optimizer``, ``clip_grad``,
    ``paramwise_cfg``...), built with MMEngine's
    ``DefaultOptimWrapperConstructor`` on the algorithm's submodule of the
    same name. Example::

        optim_wrapper = dict(
            constructor='AlternatingOptimWrapperConstructor',
            architecture=dict(optimizer=dict(type='SGD', lr=0.1)),
            generator=dict(optimizer=dict(type='AdamW', lr=1e-3)))

    ``skip_generator_at_zero_lr`` (top level, default True) and
    ``divergence_guard`` (top level, a dict or None, default ``dict()``) are
    passed to :class:`AlternatingOptimWrapper`.

    The call interface is MMRazor 1.0.0's ``SeparateOptimWrapperConstructor``
    (``__init__(optim_wrapper_cfg, paramwise_cfg=None)``, ``__call__(module)``,
    the sub-configs in ``optim_cfg`` and their constructors in
    ``constructors``), restricted to the two keys DFAD trains; what it
    returns is an ``OptimWrapperDict`` as theirs.

    Args:
        optim_wrapper_cfg (dict): The two sub-configs.
        paramwise_cfg (dict, optional): Not supported at the top level: put
            it inside ``architecture`` or ``generator``.
    """

    def __init__(self,
                 optim_wrapper_cfg: Dict,
                 paramwise_cfg: Optional[Dict] = None) -> None:
        if not isinstance(optim_wrapper_cfg, dict):
            raise TypeError(
                'AlternatingOptimWrapperConstructor: optim_wrapper_cfg must '
                f'be a dict, got {type(optim_wrapper_cfg).__name__}.')
        if paramwise_cfg is not None:
            # Also an AssertionError, which MMRazor raises here.
            raise InvalidArgumentError(
                'AlternatingOptimWrapperConstructor: set paramwise_cfg inside '
                'optim_wrapper.architecture or optim_wrapper.generator, not '
                'at the top level.')
        self.optim_cfg = optim_wrapper_cfg
        cfg = dict(copy.deepcopy(optim_wrapper_cfg))
        cfg.pop('type', None)  # the wrapper type is always ours
        self.skip_generator_at_zero_lr = cfg.pop('skip_generator_at_zero_lr',
                                                 True)
        if not isinstance(self.skip_generator_at_zero_lr, bool):
            raise TypeError(
                'AlternatingOptimWrapperConstructor: '
                'optim_wrapper.skip_generator_at_zero_lr must be True or '
                f'False, got {self.skip_generator_at_zero_lr!r}.')
        self.divergence_guard = cfg.pop('divergence_guard', dict())
        keys = (AlternatingOptimWrapper.STUDENT_KEY,
                AlternatingOptimWrapper.GENERATOR_KEY)
        unknown = sorted(set(cfg) - set(keys))
        missing = [key for key in keys if key not in cfg]
        if unknown or missing:
            raise ValueError(
                'AlternatingOptimWrapperConstructor: optim_wrapper must hold '
                f'exactly {list(keys)}; missing {missing}, unknown {unknown}.')
        self.constructors = {}
        for key in keys:
            sub_cfg = dict(cfg[key])
            if 'optimizer' not in sub_cfg:
                raise ValueError(
                    f'AlternatingOptimWrapperConstructor: optim_wrapper.{key} '
                    "has no 'optimizer'; e.g. optimizer=dict(type='SGD', "
                    'lr=0.1).')
            sub_paramwise = sub_cfg.pop('paramwise_cfg', None)
            self.constructors[key] = DefaultOptimWrapperConstructor(
                sub_cfg, sub_paramwise)

    def __call__(self,
                 module: Optional[nn.Module] = None,
                 *,
                 model: Optional[nn.Module] = None) -> AlternatingOptimWrapper:
        """Build the two optimizer wrappers for the algorithm's submodules.

        Args:
            module (nn.Module): The DFAD algorithm, possibly inside a model
                wrapper (MMRazor's name).
            model (nn.Module, optional): Keyword alias of ``module``
                (MMEngine's name); give one of the two.

        Returns:
            AlternatingOptimWrapper: The student's and generator's wrappers.
        """
        if (module is None) == (model is None):
            raise TypeError('AlternatingOptimWrapperConstructor: give the '
                            'algorithm as `module` or as `model`, once.')
        model = module if model is None else model
        if is_model_wrapper(model):
            model = model.module
        optim_wrappers = {}
        for key, constructor in self.constructors.items():
            submodule = getattr(model, key, None)
            if not isinstance(submodule, nn.Module):
                raise AttributeError(
                    f'AlternatingOptimWrapperConstructor: '
                    f'{type(model).__name__} has no submodule {key!r} to '
                    'optimise.')
            optim_wrappers[key] = constructor(submodule)
        return AlternatingOptimWrapper(
            skip_generator_at_zero_lr=self.skip_generator_at_zero_lr,
            divergence_guard=self.divergence_guard,
            **optim_wrappers)
