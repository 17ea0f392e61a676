# What turns an MNIST LeNet-5 config into its Fashion-MNIST twin, as pieces
# it takes with ``{{_base_.NAME}}``: the Fashion-MNIST teacher and the
# normalisation of real Fashion-MNIST images (255 x the statistics 0.2860,
# 0.3530) for ``model``, and for MMCls's dataloaders the validation split
# (held out from the training images: data/fashion_mnist/val/t10k-*) and the
# real test split (data/fashion_mnist/t10k-*).
fashion_mnist_model = dict(
    data_preprocessor=dict(mean=[72.94], std=[90.02]),
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
fashion_mnist_val_split = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist/val'))
fashion_mnist_test_split = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
# A generator 10x slower to learn than on MNIST (Adam lr 1e-4), for the
# adversarial algorithms (``optim_wrapper = {{_base_.NAME}}``).
fashion_mnist_generator_optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-4)))
