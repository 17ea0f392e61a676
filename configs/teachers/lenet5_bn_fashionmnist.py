# Supervised LeNet-5 with BatchNorm on Fashion-MNIST: the plain LeNet-5
# recipe with BN after every convolution and the hidden fc layer.
_base_ = ['./lenet5_fashionmnist.py']
model = dict(backbone=dict(with_bn=True))
