# Training draws nothing from disk (DataFreeDataset). Validation reads
# 5,000 images held out from CIFAR-10's training split (the first 5,000 of
# the 50,000, through MMEngine's ``indices``; the student never sees real
# images, the MMCls teacher was trained on all 50,000); the test split
# (10,000) is read only by tools/test.py and a benchmark's final test.
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
        test_mode=False,
        indices=5000,
        pipeline=test_pipeline))
val_evaluator = dict(_scope_='mmcls', type='Accuracy', topk=(1, 5))

test_dataloader = dict(
    batch_size=256,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmcls',
        type='CIFAR10',
        data_prefix=data_root,
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = val_evaluator
