# Supervised LeNet-5 on Fashion-MNIST (the Fashion-MNIST DFAD teacher).
_base_ = [
    '../_base_/models/lenet5_classifier.py',
    '../_base_/datasets/fashion_mnist.py',
    '../_base_/schedules/adam_cosine_20e.py',
    '../_base_/default_runtime_by_epoch.py',
]
model = dict(data_preprocessor=_base_.data_preprocessor)
