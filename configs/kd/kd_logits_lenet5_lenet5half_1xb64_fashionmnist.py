# Baseline: KD from the shipped LeNet-5 teacher on the real Fashion-MNIST
# training images, with the teacher's recipe: the MNIST config with
# Fashion-MNIST's teacher, normalisation and splits.
_base_ = [
    './kd_logits_lenet5_lenet5half_1xb64_mnist.py',
    '../_base_/datasets/fashion_mnist.py'
]
data_preprocessor = _base_.fashion_mnist_normalization
model = dict(
    data_preprocessor=data_preprocessor,
    teacher_ckpt='checkpoints/lenet5_fashionmnist.pth')
train_dataloader = _base_.fashion_mnist_train_split
val_dataloader = _base_.fashion_mnist_val_split
test_dataloader = _base_.fashion_mnist_test_split
