# The scene benchmark's teacher, trained on the real train canvases:
# DeepLabV3+ / quarter-width ResNet-18 (decoder at stride 4), batch 16,
# 16,000 iterations, AdamW + poly learning rate, plain cross-entropy.
# Validation on the validation canvases (garments held out from the
# training ones); the best checkpoint is selected there, never on test.
_base_ = [
    '../../_base_/models/deeplabv3plus_r18-quarter-d8_scenes.py',
    '../../_base_/datasets/fashion_scenes.py',
    '../../_base_/schedules/adamw_poly_2k.py',
    '../../_base_/supervised_segmentation_runtime.py',
]
model = _base_.deeplabv3plus_r18_quarter
max_iters = 16000
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=2000)
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=2000, save_best='mIoU'))
