# Ablation of the impressions-soft-targets recipe: DAFL's one-hot term in
# the generator's objective instead of the soft class targets (bank and
# generator augmentation kept), i.e. the replay-priors-tv-ema recipe plus
# the bank and the generator augmentation.
_base_ = [
    '../dfad_replay-priors-tv-ema_lenet5_lenet5half_1xb256_fashionmnist.py',
    '../../_base_/models/data_impressions.py'
]

model = dict(
    pool=dict(persistent_capacity=10240),
    generator_augmentation=dict(type='RandomShiftFlip', max_shift=2))
custom_hooks = _base_.custom_hooks + [_base_.data_impression_hook]
