# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Evaluate a checkpoint (a DFAD student or an exported one) on the
config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]
        [--cfg-options key=value ...] [--launcher pytorch]
"""
from mmrazor_dfad.apis.test import main

if __name__ == '__main__':
    main()
