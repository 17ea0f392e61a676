# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .alternating_optim_wrapper import AlternatingOptimWrapper
from .alternating_optim_wrapper_constructor import \
    AlternatingOptimWrapperConstructor
from .player_optim_wrapper import PlayerOptimWrapper

__all__ = [
    'AlternatingOptimWrapper', 'AlternatingOptimWrapperConstructor',
    'PlayerOptimWrapper'
]
