# The replay-priors-tv recipe on Fashion-MNIST: the MNIST config with the
# Fashion-MNIST teacher, its normalisation of real and generated images, and
# the Fashion-MNIST validation and test splits.
_base_ = [
    './dfad_replay-priors-tv_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist.py'
]

model = _base_.fashion_mnist_pixel_model
val_dataloader = _base_.fashion_mnist_val_split
test_dataloader = _base_.fashion_mnist_test_split
