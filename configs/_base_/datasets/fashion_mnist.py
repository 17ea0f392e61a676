# Fashion-MNIST (prepare with
# tools/dataset_converters/prepare_fashion_mnist.py), resized to 32x32 like
# MNIST. Splits as in ./mnist.py: train = the training images minus the
# validation split (data/fashion_mnist/val/train-*, 55,000), val = held out
# from the training images (data/fashion_mnist/val/t10k-*, 5,000, 500 per
# class, seed 0), test = the test split (data/fashion_mnist/t10k-*, 10,000).
# The shipped teachers were trained before the validation split existed, on
# all 60,000 training images.
#
# A Fashion-MNIST config is its MNIST twin plus these values, which it
# takes by name (``_base_.fashion_mnist_model``): MMEngine merges no two
# bases that set the same key, so the twin cannot inherit a second
# ``model`` or ``val_dataloader``. Each value is merged into the key the
# twin sets; none replaces one.

# 255 x the Fashion-MNIST statistics (0.2860, 0.3530), for the real images
# (``data_preprocessor``) and, where the generator has a pixel range, for
# generated ones.
fashion_mnist_normalization = dict(mean=[72.94], std=[90.02])
fashion_mnist_train_split = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist/val'))
fashion_mnist_val_split = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist/val'))
fashion_mnist_test_split = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
# The Fashion-MNIST teacher with its normalisation, for ``model``; the
# second also gives the generator's images the Fashion-MNIST pixel range.
fashion_mnist_model = dict(
    data_preprocessor=fashion_mnist_normalization,
    teachers=dict(
        lenet5=dict(ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
fashion_mnist_pixel_model = dict(
    fashion_mnist_model,
    generator=dict(pixel_normalization=fashion_mnist_normalization))
