# DFAD on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher and
# test data (values of ../_base_/datasets/fashion_mnist.py).
_base_ = ['./dfad_logits_lenet5_lenet5half_mnist.py']

fashion_preprocessor = dict(
    type='mmcls.ClsDataPreprocessor', mean=[72.94], std=[90.02])
model = dict(
    data_preprocessor=fashion_preprocessor,
    architecture=dict(data_preprocessor=fashion_preprocessor),
    teachers=dict(
        lenet5=dict(
            build_cfg=dict(data_preprocessor=fashion_preprocessor),
            ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
