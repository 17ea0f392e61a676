# Student of the scene benchmark: the mosaic student's quarter-width
# MobileNetV2 (output stride 8) under the scene teacher's DeepLabV3+ decoder
# (stride-4 features fused), narrower, 12 classes, for 64x64 canvases. It
# brings the scene teacher (deeplabv3plus_r18_quarter) along.
_base_ = [
    './fcn_mobilenetv2-quarter-d8_mosaic.py',
    './deeplabv3plus_r18-quarter-d8_scenes.py'
]
deeplabv3plus_mobilenetv2_quarter = dict(
    _base_.fcn_mobilenetv2_quarter,
    decode_head=dict(
        _base_.deeplabv3plus_r18_quarter.decode_head,
        in_channels=80,
        channels=32,
        c1_in_channels=8,
        c1_channels=8))
