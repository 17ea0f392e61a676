# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Build the MNIST (or Fashion-MNIST) mosaic segmentation set from the
installed IDX files; see :mod:`mmrazor_dfad.datasets.preparation.mosaic`.

    python tools/dataset_converters/prepare_mnist_mosaic.py \
        [--source data/mnist] [--out data/mnist_mosaic] [--seed 0]
"""
from mmrazor_dfad.datasets.preparation import mosaic

if __name__ == '__main__':
    mosaic.main()
