# Baseline (a): LeNet-5-half trained with labels on the real MNIST training
# split, with the teacher's recipe.
_base_ = ['../teachers/lenet5_mnist.py']
model = dict(
    backbone=dict(channels=(3, 8, 60), fc_channels=42),
    head=dict(in_channels=42))
