# Baseline: LeNet-5-half trained with labels on the real Fashion-MNIST
# training split, with the teacher's recipe.
_base_ = ['./lenet5_1xb64_fashionmnist.py']
model = dict(
    backbone=_base_.lenet5_half.backbone, head=_base_.lenet5_half.head)
