# ZSKT on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher,
# validation and test splits, and a generator 10x slower to learn (Adam lr
# 1e-4, as DFAD's Fashion-MNIST config): at the MNIST rate its weights reach
# NaN within the first 20 iterations (the divergence guard stops the run).
_base_ = [
    './zskt_at-logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist_teacher.py'
]

model = {{_base_.fashion_mnist_model}}  # teacher and normalisation
optim_wrapper = {{_base_.fashion_mnist_generator_optim_wrapper}}
val_dataloader = {{_base_.fashion_mnist_val_split}}
test_dataloader = {{_base_.fashion_mnist_test_split}}
