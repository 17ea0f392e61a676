# Images optimised against the teacher toward soft class targets (ZSKD's
# data impressions, DeepInversion's jitter and flips), for configs to take
# by name (``_base_.data_impression_hook``; its pixel range follows the
# algorithm's data preprocessor).
data_impression_synthesizer = dict(
    type='DataImpressionSynthesizer',
    targets=dict(
        type='ClassSimilarityTargets', num_classes=10, betas=(1.0, 0.1)),
    steps=100,
    lr=0.1,
    temperature=20.0,
    tv_weight=1.0,
    augmentation=dict(type='RandomShiftFlip', max_shift=2, flip=True),
    batch_size=256)
# A bank of 10,240 such images made before training, in the pool's
# persistent region (the config sets ``model.pool.persistent_capacity``).
data_impression_hook = dict(
    type='DataImpressionHook',
    bank_size=10240,
    synthesizer=data_impression_synthesizer)
