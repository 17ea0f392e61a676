# Ablation of the impressions-soft-targets recipe: no bank of images
# optimised against the teacher (soft targets and generator augmentation
# kept).
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

model = dict(pool=dict(persistent_capacity=0))
custom_hooks = [
    dict(type='GeneratedSamplesHook', interval=50),
    dict(type='EMAHook', ema_type='DataFreeEMA', momentum=0.02, begin_iter=25)
]
