# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .distributed import free_port
from .fake_data import (accept_fake_cifar10, save_random_classifier,
                        write_fake_camvid, write_fake_cifar10,
                        write_fake_mnist)
from .iterations import FunctionIteration
from .toy_models import ToyClassifier, ToyHead, logits_distiller

__all__ = [
    'FunctionIteration', 'free_port', 'accept_fake_cifar10',
    'save_random_classifier', 'write_fake_camvid', 'write_fake_cifar10',
    'write_fake_mnist', 'ToyClassifier', 'ToyHead', 'logits_distiller'
]
