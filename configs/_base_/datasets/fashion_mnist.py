# Fashion-MNIST (prepare with
# tools/dataset_converters/prepare_fashion_mnist.py),
# resized to 32x32 like MNIST.
_base_ = ['./mnist.py']
dataset_type = 'FashionMNIST'
data_root = 'data/fashion_mnist'
# 255 x the Fashion-MNIST statistics (0.2860, 0.3530).
data_preprocessor = dict(mean=[72.94], std=[90.02])
train_dataloader = dict(dataset=dict(type=dataset_type, data_prefix=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_prefix=data_root))
test_dataloader = val_dataloader
