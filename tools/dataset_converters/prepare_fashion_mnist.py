# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Put Fashion-MNIST under data/fashion_mnist/ as MMCls's four IDX files:
the official files, else the official download, else Debian's
dataset-fashion-mnist package; see
:mod:`mmrazor_dfad.datasets.preparation.fashion_mnist`.

    python tools/dataset_converters/prepare_fashion_mnist.py [--source DIR]
        [--out data/fashion_mnist]
"""
from mmrazor_dfad.datasets.preparation import fashion_mnist

if __name__ == '__main__':
    fashion_mnist.main()
