# The mosaic benchmark's teacher, trained on the real train canvases:
# DeepLabV3 / quarter-width ResNet-18, batch 16, 2,000 iterations, AdamW +
# poly learning rate, background weighted 0.1 in the loss.
_base_ = [
    '../../_base_/models/deeplabv3_r18-quarter-d8_mosaic.py',
    '../../_base_/datasets/mnist_mosaic.py',
    '../../_base_/schedules/adamw_poly_2k.py',
    'mmseg::_base_/default_runtime.py',
]
model = _base_.deeplabv3_r18_quarter
# SafeCheckpointHook: MMEngine's CheckpointHook whose old checkpoints are
# removed only once the new one is complete, each written atomically.
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(
        _scope_='mmrazor_dfad',
        type='SafeCheckpointHook',
        by_epoch=False,
        interval=500,
        max_keep_ckpts=1,
        save_best='mIoU',
        backend_args=dict(backend='atomic_local')))
randomness = dict(seed=0)
