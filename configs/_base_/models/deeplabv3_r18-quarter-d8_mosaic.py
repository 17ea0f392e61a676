# Teacher of the mosaic benchmark: DeepLabV3 on a quarter-width ResNet-18
# (ResNetV1c, output stride 8), 11 classes, for 64x64 canvases.
norm_cfg = dict(type='BN', requires_grad=True)
# Background weighted 0.1 in the loss (docs/segmentation.md: why).
mosaic_loss = dict(
    type='CrossEntropyLoss',
    use_sigmoid=False,
    class_weight=[0.1] + [1.0] * 10)
deeplabv3_r18_quarter = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    backbone=dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='ASPPHead',
        in_channels=128,
        in_index=3,
        channels=32,
        dilations=(1, 2, 4, 6),
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(mosaic_loss, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=64,
        in_index=2,
        channels=16,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(mosaic_loss, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
