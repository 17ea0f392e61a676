# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .optimizers import (AlternatingOptimWrapper,
                         AlternatingOptimWrapperConstructor)

__all__ = ['AlternatingOptimWrapper', 'AlternatingOptimWrapperConstructor']
