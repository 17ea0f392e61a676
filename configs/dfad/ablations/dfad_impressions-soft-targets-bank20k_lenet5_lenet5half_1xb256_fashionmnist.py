# The impressions-soft-targets recipe with a bank twice as large: 20,480
# images optimised against the teacher before training, all kept in the
# pool's persistent region.
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

model = dict(pool=dict(persistent_capacity=20480))
custom_hooks = [
    dict(type='GeneratedSamplesHook', interval=50),
    dict(type='EMAHook', ema_type='DataFreeEMA', momentum=0.02, begin_iter=25),
    dict(
        type='DataImpressionHook',
        bank_size=20480,
        synthesizer={{_base_.data_impression_synthesizer}})
]
