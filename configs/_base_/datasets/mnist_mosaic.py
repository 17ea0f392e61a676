# The MNIST mosaic segmentation set (tools/dataset_converters/
# prepare_mnist_mosaic.py): 64x64 canvases of 1-4 digits, 11 classes
# (background + digit + 1), read by MMSegmentation's own BaseSegDataset.
# Splits (docs/datasets.md): train canvases (img_dir/train, from the MNIST
# training digits), validation canvases (img_dir/val, from the digits held
# out from the training ones for validation: data/mnist/val) and test
# canvases (img_dir/test, from the test digits), read only by tools/test.py
# and a benchmark's final test.
data_root = 'data/mnist_mosaic'
mosaic_metainfo = dict(
    classes=('background', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
    palette=[[0, 0, 0], [229, 25, 73], [61, 181, 73], [255, 224, 25],
             [0, 130, 198], [244, 130, 48], [145, 30, 181], [68, 239, 239],
             [239, 51, 229], [209, 244, 61], [249, 191, 211]])
# Pixel statistics of the train canvases (gray, the same in each channel).
# The runner gives it to a model dict that has none.
data_preprocessor = dict(
    type='mmseg.SegDataPreProcessor',
    mean=[16.87, 16.87, 16.87],
    std=[56.41, 56.41, 56.41],
    bgr_to_rgb=False,
    size=(64, 64),
    pad_val=0,
    seg_pad_val=255)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
test_pipeline = train_pipeline
mosaic_dataset = dict(
    _scope_='mmseg',
    type='BaseSegDataset',
    data_root=data_root,
    img_suffix='.png',
    seg_map_suffix='.png',
    metainfo=mosaic_metainfo)

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        mosaic_dataset,
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=50,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        mosaic_dataset,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=50,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        mosaic_dataset,
        data_prefix=dict(img_path='img_dir/test', seg_map_path='ann_dir/test'),
        pipeline=test_pipeline))
val_evaluator = dict(type='mmseg.IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
