# MNIST (prepare with tools/dataset_converters/prepare_mnist.py), 28x28
# resized to 32x32 as in the DFAD paper's code. Three disjoint splits
# (docs/datasets.md):
# - train: the training images minus the validation split
#   (data/mnist/val/train-*; 7,000 of the offline 8,000);
# - val: held out from the training images (data/mnist/val/t10k-*; 1,000,
#   100 per class, seed 0): what validation, early stopping and
#   best-checkpoint selection read;
# - test: the test split (data/mnist/t10k-*; 2,000), read by tools/test.py
#   and by a benchmark's one final test of each run, never for selection.
# The shipped teacher (checkpoints/lenet5_mnist.pth) was trained before the
# validation split existed, on all 8,000 training images.
dataset_type = 'MNIST'
data_root = 'data/mnist'
val_root = 'data/mnist/val'
# 255 x the MNIST statistics (0.1307, 0.3081).
data_preprocessor = dict(
    type='mmcls.ClsDataPreprocessor', mean=[33.32], std=[78.57])

train_pipeline = [
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackClsInputs'),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        _scope_='mmcls',
        type=dataset_type,
        data_prefix=val_root,
        test_mode=False,
        download=False,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmcls',
        type=dataset_type,
        data_prefix=val_root,
        test_mode=True,
        download=False,
        pipeline=test_pipeline))
val_evaluator = dict(_scope_='mmcls', type='Accuracy', topk=(1, ))
test_dataloader = dict(
    batch_size=500,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmcls',
        type=dataset_type,
        data_prefix=data_root,
        test_mode=True,
        download=False,
        pipeline=test_pipeline))
test_evaluator = val_evaluator
