# What turns an MNIST data-free config into a Fashion-MNIST one, as pieces a
# config takes with ``{{_base_.NAME}}``: the Fashion-MNIST teacher, its
# normalisation (for the real images and the generator's pixel range), the
# validation split the student is validated on (held out from the training
# images: data/fashion_mnist/val/t10k-*) and the test split it is tested on
# (data/fashion_mnist/t10k-*).
fashion_normalization = dict(mean=[72.94], std=[90.02])
fashion_model = dict(
    data_preprocessor=fashion_normalization,
    generator=dict(pixel_normalization=fashion_normalization),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
fashion_val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist/val'))
fashion_test_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
