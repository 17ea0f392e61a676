# The impressions-soft-targets recipe with half the bank before training
# (5,120 images) and 256 more every 10 iterations during training (6,400
# over the run), interleaved with the generator's images.
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

custom_hooks = [
    dict(type='GeneratedSamplesHook', interval=50),
    dict(type='EMAHook', ema_type='DataFreeEMA', momentum=0.02, begin_iter=25),
    dict(
        type='DataImpressionHook',
        bank_size=5120,
        interval=10,
        images_per_interval=256,
        synthesizer=_base_.data_impression_synthesizer)
]
