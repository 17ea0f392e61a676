# DFAD on Fashion-MNIST with MMPretrain in place of MMCls (the MMCls config
# is ../dfad/dfad_logits_lenet5_lenet5half_1xb256_fashionmnist.py).
_base_ = ['./dfad_logits_lenet5_lenet5half_1xb256_mnist.py']

model = dict(
    data_preprocessor=dict(mean=[72.94], std=[90.02]),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-4)))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_root='data/fashion_mnist'))
test_dataloader = val_dataloader
