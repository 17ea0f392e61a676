# ZSKT on Fashion-MNIST: the MNIST recipe (generator Adam lr 1e-3, as ZSKT's
# code) with the Fashion-MNIST teacher, validation and test splits, and two
# changes that keep the generator finite (configs/zskt/README.md):
# - its images are real pixels: tanh mapped to [0, 255] and normalised like
#   the teacher's input (``pixel_normalization``, the real images'
#   statistics), instead of standardised per batch, which let pixels go far
#   outside the range the teacher was trained on and its logits spread over
#   a hundred and more;
# - its divergence is MMRazor's KLDivergence computed from log-probabilities
#   (``LogSpaceKLDivergence``, the same value): where a teacher probability
#   underflows to 0, MMRazor's form gives the generator a NaN gradient and
#   one Adam step turns every weight into NaN.
_base_ = [
    './zskt_at-logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/datasets/fashion_mnist_teacher.py'
]

model = dict(
    data_preprocessor={{_base_.fashion_mnist_model.data_preprocessor}},
    teachers={{_base_.fashion_mnist_model.teachers}},
    generator=dict(
        pixel_normalization={{_base_.fashion_mnist_model.data_preprocessor}}),
    generator_distiller=dict(
        distill_losses=dict(loss_kl=dict(type='LogSpaceKLDivergence'))))
val_dataloader = {{_base_.fashion_mnist_val_split}}
test_dataloader = {{_base_.fashion_mnist_test_split}}
