# Baseline: KD from the shipped LeNet-5 teacher on the real Fashion-MNIST
# training images, with the teacher's recipe.
_base_ = [
    '../_base_/models/kd_lenet5_lenet5half.py',
    '../_base_/datasets/fashion_mnist.py',
    '../_base_/schedules/adam_cosine_20e.py',
    '../_base_/default_runtime_by_epoch.py',
]
model = dict(
    data_preprocessor=_base_.data_preprocessor,
    teacher_ckpt='checkpoints/lenet5_fashionmnist.pth')
