# Supervised LeNet-5 on Fashion-MNIST (the Fashion-MNIST DFAD teacher): the
# MNIST config with Fashion-MNIST's normalisation and splits.
_base_ = ['./lenet5_1xb64_mnist.py', '../_base_/datasets/fashion_mnist.py']
data_preprocessor = _base_.fashion_mnist_normalization
model = dict(data_preprocessor=data_preprocessor)
train_dataloader = _base_.fashion_mnist_train_split
val_dataloader = _base_.fashion_mnist_val_split
test_dataloader = _base_.fashion_mnist_test_split
