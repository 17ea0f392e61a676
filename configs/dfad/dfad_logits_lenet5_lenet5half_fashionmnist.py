# DFAD on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher and
# test data (values of ../_base_/datasets/fashion_mnist.py), and a generator
# 10x slower to learn (Adam lr 1e-4). With the MNIST generator rate (1e-3)
# the generator finds images on which teacher and student logits differ by
# 40-90 per logit and the student collapses to one class within 100-200
# iterations (measured with hidden 64 / batch 128 / step LR, hidden 32 /
# batch 256 / cosine, and with DAFL's class-balance entropy added to the
# generator's loss); see configs/dfad/README.md for the numbers. Final top-1
# on the 10k test images, seeds 0-2: 47.31 / 59.53 / 57.10 (teacher 90.55;
# results/fashion_mnist_dfad.json): plain DFAD falls far short here.
_base_ = ['./dfad_logits_lenet5_lenet5half_mnist.py']

fashion_preprocessor = dict(
    type='mmcls.ClsDataPreprocessor', mean=[72.94], std=[90.02])
model = dict(
    data_preprocessor=fashion_preprocessor,
    architecture=dict(data_preprocessor=fashion_preprocessor),
    teachers=dict(
        lenet5=dict(
            build_cfg=dict(data_preprocessor=fashion_preprocessor),
            ckpt_path='checkpoints/lenet5_fashionmnist.pth')))
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-4)))
val_dataloader = dict(
    dataset=dict(type='FashionMNIST', data_prefix='data/fashion_mnist'))
test_dataloader = val_dataloader
