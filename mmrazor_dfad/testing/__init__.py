# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Helpers for tests of DFAD models: toy models, fake datasets, building an
algorithm and looking at one step. Importing it registers and patches
nothing (:func:`register_toy_models` registers the toy model on request);
this repository's own harnesses (fault injection, fresh processes, tool
runs) are in the private :mod:`mmrazor_dfad.testing._internal`."""
from .algorithms import (build, build_optim, count_steps, data_free_batch,
                         snapshot)
from .distributed import free_port
from .fake_data import (accept_fake_cifar10, save_random_classifier,
                        write_fake_camvid, write_fake_cifar10,
                        write_fake_mnist)
from .iterations import FunctionAlgorithm
from .toy_models import (ToyClassifier, ToyHead, logits_distiller,
                         register_toy_models)

__all__ = [
    'FunctionAlgorithm', 'build', 'build_optim', 'count_steps',
    'data_free_batch', 'free_port', 'accept_fake_cifar10',
    'save_random_classifier', 'snapshot', 'write_fake_camvid',
    'write_fake_cifar10', 'write_fake_mnist', 'ToyClassifier', 'ToyHead',
    'logits_distiller', 'register_toy_models'
]
