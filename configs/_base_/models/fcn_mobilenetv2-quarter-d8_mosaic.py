# Student of the mosaic benchmark: FCN on a quarter-width MobileNetV2
# (output stride 8), 11 classes, for 64x64 canvases.
fcn_mobilenetv2_quarter = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    backbone=dict(
        type='MobileNetV2',
        widen_factor=0.25,
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),
        out_indices=(1, 2, 4, 6),
        norm_cfg=dict(type='BN', requires_grad=True)),
    decode_head=dict(
        type='FCNHead',
        in_channels=80,
        in_index=3,
        channels=32,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
