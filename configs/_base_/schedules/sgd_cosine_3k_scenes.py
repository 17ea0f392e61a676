# Training of the scene student on real canvases (with labels, or KD-ORI),
# compute-matched to the scene DFAD config: its student makes 5 updates of
# 32 images per iteration over 600 iterations, so 3,000 updates here (the
# configs set batch 32), with the DFAD student's optimizer (SGD 0.05,
# momentum 0.9, weight decay 5e-4) on a cosine learning rate. Validation
# on the validation canvases every 500 iterations.
student_updates = 3000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        T_max=student_updates,
        eta_min=0.0)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=student_updates, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
