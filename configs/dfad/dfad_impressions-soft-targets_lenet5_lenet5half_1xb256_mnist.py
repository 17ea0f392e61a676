# The replay-priors-tv-ema recipe with ZSKD's two pieces
# and DeepInversion's jitter:
# - a bank of 10,240 images optimised against the teacher toward soft
#   class targets before training (DataImpressionHook), kept in the pool's
#   persistent region beside the generator's last 25,600 images;
# - soft class targets instead of DAFL's one-hot term in the generator's
#   objective (ClassSimilarityKLLoss);
# - random 2-pixel rolls and flips of the generator's images before teacher
#   and student see them in its update.
_base_ = [
    './dfad_replay-priors-tv-ema_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/models/data_impressions.py'
]

model = dict(
    pool=dict(persistent_capacity=10240),
    generator_augmentation=dict(type='RandomShiftFlip', max_shift=2),
    generator_distiller=dict(
        teacher_recorders=dict(
            teacher_fc_weight=dict(
                type='Parameter', source='lenet5.head.fc.weight')),
        distill_losses=dict(
            _delete_=True, **_base_.soft_target_generator_losses),
        loss_forward_mappings=dict(
            _delete_=True, **_base_.soft_target_generator_loss_mappings)))
custom_hooks = _base_.custom_hooks + [_base_.data_impression_hook]
