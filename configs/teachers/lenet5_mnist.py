# Supervised LeNet-5 teacher on MNIST (the DFAD paper's MNIST teacher).
_base_ = [
    '../_base_/models/lenet5.py',
    '../_base_/datasets/mnist.py',
    '../_base_/default_runtime.py',
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=20, eta_min=1e-5)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    logger=dict(interval=100, log_metric_by_epoch=True),
    checkpoint=dict(by_epoch=True, interval=5, max_keep_ckpts=1))
log_processor = dict(by_epoch=True)
# A single-process recipe: no DFAD wrapper needed.
model_wrapper_cfg = None
