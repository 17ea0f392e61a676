# Supervised LeNet-5 teacher on Fashion-MNIST: the MNIST recipe on the
# Fashion-MNIST data (values of ../_base_/datasets/fashion_mnist.py).
_base_ = ['./lenet5_mnist.py']
model = dict(data_preprocessor=dict(mean=[72.94], std=[90.02]))
train_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
