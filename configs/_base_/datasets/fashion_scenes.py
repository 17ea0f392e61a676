# The Fashion-MNIST scene segmentation set (tools/dataset_converters/
# prepare_fashion_scenes.py): 64x64 RGB canvases of a sky gradient, a
# textured ground and 1-4 tinted garments; 12 classes (sky, ground and the
# 10 Fashion-MNIST classes), read by MMSegmentation's own BaseSegDataset.
# Splits (docs/datasets.md): train canvases (img_dir/train, from the
# training garments minus val: data/fashion_mnist/val/train-*), validation
# canvases (img_dir/val, from the held-out garments: data/fashion_mnist/
# val/t10k-*) and test canvases (img_dir/test, from the test garments),
# read only by tools/test.py and a benchmark's final test.
data_root = 'data/fashion_scenes'
scenes_metainfo = dict(
    classes=('sky', 'ground', 'T-shirt/top', 'Trouser', 'Pullover', 'Dress',
             'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'),
    palette=[[135, 206, 235], [120, 84, 40], [230, 25, 75], [60, 180, 75],
             [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180],
             [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212]])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # Horizontal only: the sky stays above the ground.
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
# Pixel statistics (RGB) of the 30,000 train canvases of seed 0.
# The runner gives it to a model dict that has none.
data_preprocessor = dict(
    type='mmseg.SegDataPreProcessor',
    size=(64, 64),
    bgr_to_rgb=False,
    pad_val=0,
    seg_pad_val=255,
    mean=[126.66, 126.69, 127.28],
    std=[72.58, 72.58, 72.56])

scenes_dataset = dict(
    _scope_='mmseg',
    type='BaseSegDataset',
    data_root=data_root,
    img_suffix='.png',
    seg_map_suffix='.png',
    metainfo=scenes_metainfo)
# What the validation and test loaders share (the train loader overrides
# the batch size and the sampler).
scenes_loader = dict(
    batch_size=50,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False))

train_dataloader = dict(
    scenes_loader,
    batch_size=16,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        scenes_dataset,
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    scenes_loader,
    dataset=dict(
        scenes_dataset,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline))
test_dataloader = dict(
    scenes_loader,
    dataset=dict(
        scenes_dataset,
        data_prefix=dict(img_path='img_dir/test', seg_map_path='ann_dir/test'),
        pipeline=test_pipeline))
# Scored over 10 classes: the two pairs of upper-body garments that differ
# mostly in details a 64x64 canvas blurs are merged (label and prediction
# alike; docs/segmentation.md); mIoU_unmerged is over the 12 classes.
# ClassIoUMetric is mmseg's IoUMetric plus each class's IoU, the mean over
# the 8 garment ("thing") classes and the merges.
scenes_class_merges = {
    'T-shirt/top+Shirt': ['T-shirt/top', 'Shirt'],
    'Pullover+Coat': ['Pullover', 'Coat'],
}
scenes_things = [
    'T-shirt/top+Shirt', 'Trouser', 'Pullover+Coat', 'Dress', 'Sandal',
    'Sneaker', 'Bag', 'Ankle boot'
]
val_evaluator = dict(
    _scope_='mmrazor_dfad',
    type='ClassIoUMetric',
    iou_metrics=['mIoU'],
    class_merges=scenes_class_merges,
    class_subsets=dict(things=scenes_things))
test_evaluator = val_evaluator
