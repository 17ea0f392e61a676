# The replay-priors-tv recipe on Fashion-MNIST: the Fashion-MNIST teacher,
# its normalisation (for the real test images and the generator's pixel
# range) and test split.
_base_ = ['./dfad_replay-priors-tv_lenet5_lenet5half_1xb256_mnist.py']

fashion_normalization = dict(mean=[72.94], std=[90.02])
model = dict(
    data_preprocessor=fashion_normalization,
    generator=dict(pixel_normalization=fashion_normalization),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
