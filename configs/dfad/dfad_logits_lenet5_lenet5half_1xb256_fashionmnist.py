# DFAD on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher and
# test split, and a generator 10x slower to learn (Adam lr 1e-4): at the
# MNIST rate the generator finds images on which teacher and student logits
# differ by tens per logit and the student collapses to one class
# (configs/dfad/README.md).
_base_ = ['./dfad_logits_lenet5_lenet5half_1xb256_mnist.py']

model = dict(
    data_preprocessor=dict(mean=[72.94], std=[90.02]),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-4)))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
