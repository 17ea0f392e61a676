# Teacher of the scene benchmark: the mosaic teacher's quarter-width
# ResNet-18 (ResNetV1c, output stride 8) under a DeepLabV3+ decoder that
# fuses the stride-4 features, 12 classes (2 stuff, 10 garments), plain
# cross-entropy, for 64x64 canvases.
_base_ = ['./deeplabv3_r18-quarter-d8_mosaic.py']
# Where tools/train.py with the teacher config writes it, renamed as the
# checkpoints/ folder names the shipped teachers.
scenes_teacher_checkpoint = \
    'checkpoints/deeplabv3plus_r18-quarter_fashion-scenes.pth'
plain_ce = dict(type='CrossEntropyLoss', use_sigmoid=False)
deeplabv3plus_r18_quarter = dict(
    _base_.deeplabv3_r18_quarter,
    decode_head=dict(
        _base_.deeplabv3_r18_quarter.decode_head,
        type='DepthwiseSeparableASPPHead',
        channels=64,
        c1_in_channels=16,
        c1_channels=16,
        num_classes=12,
        loss_decode=dict(plain_ce, loss_weight=1.0)),
    auxiliary_head=dict(
        _base_.deeplabv3_r18_quarter.auxiliary_head,
        channels=32,
        num_classes=12,
        loss_decode=dict(plain_ce, loss_weight=0.4)))
