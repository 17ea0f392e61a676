# The DFAD paper's optimisers and weight decay with cosine learning rates
# over 1,200 iterations, annealed to 0; the generator learns for the first
# 300 iterations only (configs/dfad/README.md: why).
_base_ = ['./dfad_alternating.py']

max_iters = 1200
generator_iters = 300
optim_wrapper = dict(
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4)),
    generator=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3)))
param_scheduler = dict(
    _delete_=True,
    architecture=[
        dict(
            type='CosineAnnealingLR',
            by_epoch=False,
            T_max=max_iters,
            eta_min=0.0)
    ],
    # The generator's rate anneals to 0 over the first quarter. `end` is one
    # past T_max because MMEngine's last scheduled step is end - 1: the rate
    # reaches exactly 0 there and stays 0, and from then on the generator
    # updates, which could not change it, are skipped
    # (optim_wrapper.skip_generator_at_zero_lr).
    generator=[
        dict(
            type='CosineAnnealingLR',
            by_epoch=False,
            T_max=generator_iters,
            end=generator_iters + 1,
            eta_min=0.0)
    ])
train_cfg = dict(max_iters=max_iters, val_interval=100)
