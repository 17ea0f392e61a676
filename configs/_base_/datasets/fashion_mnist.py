# Fashion-MNIST (prepare with
# tools/dataset_converters/prepare_fashion_mnist.py), resized to 32x32 like
# MNIST. Splits as in ./mnist.py: train = the training images minus the
# validation split (data/fashion_mnist/val/train-*, 55,000), val = held out
# from the training images (data/fashion_mnist/val/t10k-*, 5,000, 500 per
# class, seed 0), test = the test split (data/fashion_mnist/t10k-*, 10,000).
# The shipped teachers were trained before the validation split existed, on
# all 60,000 training images.
_base_ = ['./mnist.py']
dataset_type = 'FashionMNIST'
data_root = 'data/fashion_mnist'
val_root = 'data/fashion_mnist/val'
# 255 x the Fashion-MNIST statistics (0.2860, 0.3530).
data_preprocessor = dict(mean=[72.94], std=[90.02])
train_dataloader = dict(dataset=dict(type=dataset_type, data_prefix=val_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_prefix=val_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_prefix=data_root))
