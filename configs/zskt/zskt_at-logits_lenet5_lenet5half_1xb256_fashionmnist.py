# ZSKT on Fashion-MNIST: the MNIST recipe with the Fashion-MNIST teacher,
# validation and test splits; the generator's images are real pixels
# (``pixel_normalization``: the teacher's input normalisation) and its
# divergence is computed from log-probabilities (``LogSpaceKLDivergence``),
# which keep the generator finite (configs/zskt/README.md says why).
_base_ = [
    './zskt_at-logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist.py'
]

model = dict(
    data_preprocessor=_base_.fashion_mnist_model.data_preprocessor,
    teachers=_base_.fashion_mnist_model.teachers,
    generator=dict(
        pixel_normalization=_base_.fashion_mnist_model.data_preprocessor),
    generator_distiller=dict(
        distill_losses=dict(loss_kl=dict(type='LogSpaceKLDivergence'))))
val_dataloader = _base_.fashion_mnist_val_split
test_dataloader = _base_.fashion_mnist_test_split
