# The impressions-soft-targets recipe with CutMix (SpaceshipNet) instead of
# mixup on replayed images: a box of each image replaced by a partner's.
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

model = dict(pool=dict(mixup_alpha=0.0, cutmix_alpha=1.0))
