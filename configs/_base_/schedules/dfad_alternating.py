# The DFAD schedule of the paper's CIFAR recipe (MMRazor's port): SGD student,
# AdamW generator, both decayed x0.1 at 5k and 10k of 25k iterations.
optim_wrapper = dict(
    constructor='AlternatingOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)),
    generator=dict(optimizer=dict(type='AdamW', lr=1e-3)))

param_scheduler = dict(
    architecture=[
        dict(
            type='MultiStepLR',
            by_epoch=False,
            milestones=[5000, 10000],
            gamma=0.1)
    ],
    generator=[
        dict(
            type='MultiStepLR',
            by_epoch=False,
            milestones=[5000, 10000],
            gamma=0.1)
    ])

train_cfg = dict(type='IterBasedTrainLoop', max_iters=25000, val_interval=250)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
