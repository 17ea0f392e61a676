# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Evaluate a checkpoint (a DFAD student or an exported one) on the
config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--label-free]
        [--cfg-options key=value ...] [--launcher pytorch]

``--label-free`` tests on the generated bank instead (label_free/* metrics:
teacher-student agreement, logit L1, class spread), with no dataset present.
"""
from mmrazor_dfad.apis.test import main

if __name__ == '__main__':
    main()
