# DAFL on MNIST without training data: the DFAD MNIST benchmark (LeNet-5
# teacher, LeNet-5-half student, the same generator, validation and bank)
# with DAFL's update rule and losses. Each iteration: one batch of 256
# generated images, one generator and one student update on it; Adam for
# both with DAFL's MNIST learning rates (generator 0.2, student 2e-3),
# annealed by cosine.
_base_ = [
    '../dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/models/dafl_zskt_lenet5.py'
]

model = dict(
    type='DAFLDataFreeDistillation',
    distiller=_base_.dafl_distiller,
    generator_distiller=_base_.dafl_generator_distiller,
    student_iter=1)

max_iters = 2400
optim_wrapper = dict(
    architecture=_base_.student_adam, generator=dict(optimizer=dict(lr=0.2)))
param_scheduler = _base_.cosine_over_the_run
train_cfg = dict(max_iters=max_iters, val_interval=200)
default_hooks = dict(checkpoint=dict(interval=600))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=600)]
