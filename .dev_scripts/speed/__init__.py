# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The parts of ``.dev_scripts/benchmark_speed.py``.

- :mod:`.common`: the device, the config and the models every contender
  builds alike.
- :mod:`.contender_ours`, :mod:`.contender_bare`, :mod:`.contender_mmrazor`:
  the contenders, each with ``time(iters)`` returning median seconds per
  iteration.
- :mod:`.measure`: interleaved timing and the peak-memory probes.
- :mod:`.report`: the printed lines and the JSON record.
"""
from . import (common, contender_bare, contender_mmrazor, contender_ours,
               measure, report)

__all__ = [
    'common', 'contender_bare', 'contender_mmrazor', 'contender_ours',
    'measure', 'report'
]
