# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Seconds per training iteration of a config, through MMEngine's runner
as tools/train.py runs it.

    python tools/analysis_tools/benchmark_speed.py CONFIG [--batch N]
        [--iters 5] [--repeats 3] [--cfg-options key=value ...]
        [--out speed.json]
"""
from mmrazor_dfad.apis import benchmark

if __name__ == '__main__':
    benchmark.main()
