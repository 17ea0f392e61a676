# Supervised LeNet-5 with BatchNorm after every convolution and the hidden
# fc layer, on Fashion-MNIST: a teacher whose BN statistics a generator can
# match.
_base_ = ['./lenet5_1xb64_fashionmnist.py']
model = dict(backbone=dict(with_bn=True))
