# Baseline (b) on Fashion-MNIST: KD on the real training images.
_base_ = ['./lenet5half_kd_mnist.py']
teacher_ckpt = 'checkpoints/lenet5_fashionmnist.pth'
model = dict(
    teacher_ckpt=teacher_ckpt,
    data_preprocessor=dict(
        type='mmcls.ClsDataPreprocessor', mean=[72.94], std=[90.02]))
train_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
