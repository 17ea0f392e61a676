# Baseline: LeNet-5-half trained with labels on the real MNIST training
# split, with the teacher's recipe (the data-driven reference of DFAD).
_base_ = ['./lenet5_1xb64_mnist.py']
model = dict(
    backbone=_base_.lenet5_half.backbone, head=_base_.lenet5_half.head)
