# DFAD with a replay pool, image and class priors and an agreement-masked
# adversary (LeNet-5 -> LeNet-5-half, MNIST, no training data);
# docs/method_components.md describes each piece.
# Per iteration: one generator update on 256 images, which are stored in a
# pool of the last 25,600 generated images; then 40 student updates on 256
# images each, all replayed from the pool and mixed in pairs (mixup).
_base_ = [
    './dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/models/dfad_replay_priors_tv.py'
]

model = dict(
    # Generated images stay in the pixel range of real ones.
    generator=dict(
        pixel_normalization=dict(
            mean=_base_.model.data_preprocessor.mean,
            std=_base_.model.data_preprocessor.std)),
    pool=_base_.replay_pool,
    generator_distiller=dict(
        teacher_recorders=dict(
            teacher_input=dict(type='ModuleInputs', source='lenet5')),
        distill_losses=dict(_delete_=True, **_base_.replay_generator_losses),
        loss_forward_mappings=dict(
            _delete_=True, **_base_.replay_generator_loss_mappings)),
    student_iter=40,
    student_train_first=False)

max_iters = 400
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-3)))
param_scheduler = dict(
    _delete_=True,
    architecture=dict(
        type='CosineAnnealingLR', by_epoch=False, T_max=max_iters,
        eta_min=0.0),
    # The generator keeps learning to the end: the replay pool, not a
    # frozen generator, keeps the student on what it has seen.
    generator=dict(type='ConstantLR', by_epoch=False, factor=1.0))
train_cfg = dict(max_iters=max_iters, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=100))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=100)]
