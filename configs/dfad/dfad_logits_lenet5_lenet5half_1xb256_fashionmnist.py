# DFAD on Fashion-MNIST: the MNIST config with the Fashion-MNIST teacher,
# its normalisation and validation and test splits, and the generator's
# Adam learning rate 1e-4 instead of 1e-3 (README.md: why).
_base_ = [
    './dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist.py'
]

model = _base_.fashion_mnist_model
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-4)))
val_dataloader = _base_.fashion_mnist_val_split
test_dataloader = _base_.fashion_mnist_test_split
