# The scene student trained with labels on the real train canvases: the
# student's capacity at DFAD's compute (3,000 updates of 32 canvases, the
# DFAD student's optimizer).
_base_ = [
    '../../_base_/models/deeplabv3plus_mobilenetv2-quarter-d8_scenes.py',
    '../../_base_/datasets/fashion_scenes.py',
    '../../_base_/schedules/sgd_cosine_3k_scenes.py',
    '../../_base_/supervised_segmentation_runtime.py',
]
model = _base_.deeplabv3plus_mobilenetv2_quarter
train_dataloader = dict(batch_size=32)
default_hooks = dict(checkpoint=dict(interval=500))
