# MNIST (prepare with tools/dataset_converters/prepare_mnist.py), 28x28
# resized to 32x32 as in the DFAD paper's code.
dataset_type = 'MNIST'
data_root = 'data/mnist'
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
        data_prefix=data_root,
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
        data_prefix=data_root,
        test_mode=True,
        download=False,
        pipeline=test_pipeline))
val_evaluator = dict(_scope_='mmcls', type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
