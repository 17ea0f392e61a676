# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Build the Fashion-MNIST scene segmentation set (sky, ground, garments)
from the installed IDX files; see
:mod:`mmrazor_dfad.datasets.preparation.fashion_scenes`.

    python tools/dataset_converters/prepare_fashion_scenes.py \
        [--source data/fashion_mnist] [--out data/fashion_scenes] [--seed 0]
"""
from mmrazor_dfad.datasets.preparation import fashion_scenes

if __name__ == '__main__':
    fashion_scenes.main()
