# The main job (`make demo`): the MNIST recipe with both cosine schedules
# 500 iterations long (the generator still learns for the first quarter,
# 125), stopping earlier when the label-free score (teacher-student
# agreement on the generated bank, no labels) has not improved for 3
# validations. The real validation split (held out from the training
# images) is still evaluated at each validation, for the curves only:
# nothing selects or stops on real labels, and the test split is read once,
# after training (README.md: why 500 iterations).
_base_ = ['./dfad_logits_lenet5_lenet5half_1xb256_mnist.py']

demo_iters = 500
demo_generator_iters = 125
label_free_score = 'label_free/agreement'

param_scheduler = dict(
    _delete_=True,
    architecture=dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        T_max=demo_iters,
        eta_min=0.0),
    generator=dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        T_max=demo_generator_iters,
        end=demo_generator_iters + 1,
        eta_min=0.0))
train_cfg = dict(max_iters=demo_iters, val_interval=50)
# One label-free source (the bank the score is computed on) instead of three.
val_cfg = dict(label_free=[_base_.label_free_bank])

# A checkpoint at every validation (the one kept is the latest), so the run
# has one at whichever validation stops it.
default_hooks = dict(checkpoint=dict(interval=50))
custom_hooks = [
    dict(type='GeneratedSamplesHook', interval=100),
    dict(
        type='LabelFreeEarlyStoppingHook',
        monitor=label_free_score,
        rule='greater',
        min_delta=0.1,
        patience=3)
]
