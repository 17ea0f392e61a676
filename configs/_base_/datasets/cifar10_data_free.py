# Training draws nothing from disk (DataFreeDataset); validation and testing
# use the real CIFAR-10 test split through MMCls.
data_root = 'data/cifar10'

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(type='DataFreeDataset'),
    collate_fn=dict(type='pseudo_collate'))

test_pipeline = [dict(type='PackClsInputs')]
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmcls',
        type='CIFAR10',
        data_prefix=data_root,
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = dict(_scope_='mmcls', type='Accuracy', topk=(1, 5))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
