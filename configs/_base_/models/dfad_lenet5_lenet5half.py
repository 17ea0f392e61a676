# DFAD with the DAFL / DFAD papers' MNIST pair: a frozen LeNet-5 teacher, a
# LeNet-5-half student and a DAFL generator of 32x32 grayscale images. The
# student minimises, the generator maximises, the L1 distance between the
# two networks' logits. Configs add ``data_preprocessor`` (it normalises the
# real validation images) and the teacher's ``ckpt_path``.
_base_ = ['./lenet5.py']

logits_recorders = dict(
    student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
    teacher_recorders=dict(
        lenet5_fc=dict(type='ModuleOutputs', source='lenet5.head.fc')))
logits_mapping = dict(
    s_feature=dict(from_student=True, recorder='fc'),
    t_feature=dict(from_student=False, recorder='lenet5_fc'))

model = dict(
    _delete_=True,
    type='DataFreeDistillation',
    architecture={{_base_.lenet5_half}},
    teachers=dict(lenet5=dict(build_cfg={{_base_.lenet5}})),
    generator=dict(
        type='DAFLGenerator',
        img_size=32,
        latent_dim=100,
        hidden_channels=32,
        out_channels=1,
        bn_eps=0.8),
    distiller=dict(
        type='ConfigurableDistiller',
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(loss_l1=logits_mapping),
        **logits_recorders),
    generator_distiller=dict(
        type='ConfigurableDistiller',
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=-1.0)),
        loss_forward_mappings=dict(loss_l1=logits_mapping),
        **logits_recorders),
    student_iter=5,
    student_train_first=True,
    # NHWC tensors: faster on CPU for these small convolutions
    # (docs/speed.md); the same math in another summation order.
    channels_last=True)

# DDP wraps the student and the generator separately, never the frozen
# teachers, and works on CPU (gloo) as well as GPU (nccl).
model_wrapper_cfg = dict(
    type='mmrazor_dfad.DataFreeDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)
