# Ablation: the mosaic DFAD config with an exponential moving average of
# the student (validation, checkpoints and the exported student use the
# averaged weights), averaging from iteration 60 (a tenth of the run).
_base_ = ['../dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py']
custom_hooks = _base_.custom_hooks + [
    dict(type='EMAHook', ema_type='DataFreeEMA', momentum=0.02, begin_iter=60)
]
