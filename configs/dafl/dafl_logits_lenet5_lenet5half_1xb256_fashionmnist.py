# DAFL on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher and
# test split.
_base_ = ['./dafl_logits_lenet5_lenet5half_1xb256_mnist.py']

model = dict(
    data_preprocessor=dict(mean=[72.94], std=[90.02]),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
