# The replay-priors-tv recipe on Fashion-MNIST.
_base_ = [
    './dfad_replay-priors-tv_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist_data_free.py'
]

model = {{_base_.fashion_model}}
val_dataloader = {{_base_.fashion_val_dataloader}}
test_dataloader = {{_base_.fashion_test_dataloader}}
