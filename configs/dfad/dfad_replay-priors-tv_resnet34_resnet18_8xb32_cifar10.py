# The replay-priors-tv recipe (docs/method_components.md) on the CIFAR-10
# DFAD config: ResNet-34 teacher -> ResNet-18 student, 8 GPUs x 32 generated
# images per step, each pushed to a pool that every student batch replays.
_base_ = [
    './dfad_logits_resnet34_resnet18_8xb32_cifar10.py',
    '../_base_/models/dfad_replay_priors_tv.py'
]

model = dict(
    # Generated images stay in the pixel range of real ones (the teacher's
    # normalisation, RGB).
    generator=dict(
        pixel_normalization=dict(
            mean=[125.307, 122.961, 113.8575], std=[51.5865, 50.847, 51.255])),
    pool=_base_.replay_pool,
    generator_distiller=dict(
        teacher_recorders=dict(
            teacher_input=dict(type='ModuleInputs', source='res34')),
        distill_losses=dict(_delete_=True, **_base_.replay_generator_losses),
        loss_forward_mappings=dict(
            _delete_=True, **_base_.replay_generator_loss_mappings)),
    student_iter=40,
    student_train_first=False)
