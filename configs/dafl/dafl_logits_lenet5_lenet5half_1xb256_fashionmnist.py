# DAFL on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher,
# validation and test splits.
_base_ = [
    './dafl_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist_teacher.py'
]

model = {{_base_.fashion_mnist_model}}
val_dataloader = {{_base_.fashion_mnist_val_split}}
test_dataloader = {{_base_.fashion_mnist_test_split}}
