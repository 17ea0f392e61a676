# DFAD on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher,
# validation and test splits, and a generator 10x slower to learn (Adam lr
# 1e-4): at the MNIST rate the generator finds images on which teacher and
# student logits differ by tens per logit and the student collapses to one
# class (configs/dfad/README.md).
_base_ = [
    './dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist_teacher.py'
]

model = {{_base_.fashion_mnist_model}}
optim_wrapper = {{_base_.fashion_mnist_generator_optim_wrapper}}
val_dataloader = {{_base_.fashion_mnist_val_split}}
test_dataloader = {{_base_.fashion_mnist_test_split}}
