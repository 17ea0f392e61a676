# Baseline (a) on Fashion-MNIST: supervised LeNet-5-half, teacher's recipe.
_base_ = ['../teachers/lenet5_fashionmnist.py']
model = dict(
    backbone=dict(channels=(3, 8, 60), fc_channels=42),
    head=dict(in_channels=42))
