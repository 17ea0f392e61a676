# What turns an MNIST data-free config into a Fashion-MNIST one, as pieces a
# config takes with ``{{_base_.NAME}}``: the Fashion-MNIST teacher, its
# normalisation (for the real test images and the generator's pixel range)
# and the test split the student is validated on.
fashion_normalization = dict(mean=[72.94], std=[90.02])
fashion_model = dict(
    data_preprocessor=fashion_normalization,
    generator=dict(pixel_normalization=fashion_normalization),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
fashion_test_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
