# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Train a DFAD config with MMEngine's runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]
        [--resume-if-any] [--amp] [--auto-scale-lr]
        [--cfg-options key=value ...] [--launcher pytorch]
"""
from mmrazor_dfad.apis.train import main

if __name__ == '__main__':
    main()
