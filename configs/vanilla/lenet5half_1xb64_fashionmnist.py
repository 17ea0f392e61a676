# Baseline: LeNet-5-half trained with labels on the real Fashion-MNIST
# training split, with the teacher's recipe.
_base_ = ['./lenet5_1xb64_fashionmnist.py']
model = {{_base_.lenet5_half}}
