# The replay-priors-tv recipe with an EMA of the student and more, smaller
# student updates per generator update: each iteration is one generator
# update on 256 images and 112 student updates on 128 images replayed from
# the pool. Validation, checkpoints and the exported student use the
# averaged weights (MMEngine's EMAHook; DataFreeEMA keeps a single copy of
# the pool), which follow the student exactly for the first 25
# iterations, before averaging starts.
_base_ = ['./dfad_replay-priors-tv_lenet5_lenet5half_1xb256_mnist.py']

max_iters = 250
model = dict(student_iter=112, student_batch_size=128)
optim_wrapper = dict(architecture=dict(optimizer=dict(lr=0.03)))
param_scheduler = dict(architecture=dict(T_max=max_iters))
train_cfg = dict(max_iters=max_iters, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=50))
custom_hooks = [
    dict(type='GeneratedSamplesHook', interval=50),
    dict(type='EMAHook', ema_type='DataFreeEMA', momentum=0.02, begin_iter=25)
]
