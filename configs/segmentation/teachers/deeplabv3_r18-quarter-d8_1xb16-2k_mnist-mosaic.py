# The mosaic benchmark's teacher, trained on the real train canvases:
# DeepLabV3 / quarter-width ResNet-18, batch 16, 2,000 iterations, AdamW +
# poly learning rate, background weighted 0.1 in the loss.
_base_ = [
    '../../_base_/models/deeplabv3_r18-quarter-d8_mosaic.py',
    '../../_base_/datasets/mnist_mosaic.py',
    '../../_base_/schedules/adamw_poly_2k.py',
    '../../_base_/supervised_segmentation_runtime.py',
]
model = _base_.deeplabv3_r18_quarter
default_hooks = dict(checkpoint=dict(interval=500, save_best='mIoU'))
