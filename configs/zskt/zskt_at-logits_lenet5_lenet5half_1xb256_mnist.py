# ZSKT on MNIST without training data: the DFAD MNIST benchmark (LeNet-5
# teacher, LeNet-5-half student, the same generator, validation and bank)
# with ZSKT's losses (KL divergence plus attention transfer for the student,
# the negated KL divergence for the generator) and its schedule of one
# generator update, then ten student updates, per iteration. Adam for both
# and cosine learning rates, as in ZSKT's code.
_base_ = [
    '../dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/models/dafl_zskt_lenet5.py'
]

model = dict(
    distiller=_base_.zskt_distiller,
    generator_distiller=_base_.zskt_generator_distiller,
    student_iter=10,
    student_train_first=False)

max_iters = 400
optim_wrapper = dict(
    architecture=_base_.student_adam, generator=dict(optimizer=dict(lr=1e-3)))
param_scheduler = _base_.cosine_over_the_run
train_cfg = dict(max_iters=max_iters, val_interval=40)
default_hooks = dict(checkpoint=dict(interval=200))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=200)]
