# DFAD, ResNet-34 teacher -> ResNet-18 student on CIFAR-10 (the MMRazor
# model-zoo row), 8 GPUs x 32 generated images per step.
_base_ = [
    '../_base_/datasets/cifar10_data_free.py',
    '../_base_/schedules/dfad_alternating.py',
    '../_base_/default_runtime.py',
]

teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_b16x8_cifar10_20210528-a8aa36a6.pth'  # noqa: E501

# The recorders read the logits (``head.fc`` outputs) of student and teacher.
logits_recorders = dict(
    student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
    teacher_recorders=dict(
        res34_fc=dict(type='ModuleOutputs', source='res34.head.fc')))
logits_mapping = dict(
    s_feature=dict(from_student=True, recorder='fc'),
    t_feature=dict(from_student=False, recorder='res34_fc'))

model = dict(
    type='DataFreeDistillation',
    # Normalises the real test images; generated images are already
    # standardised by the generator's last BatchNorm.
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[125.307, 122.961, 113.8575],
        std=[51.5865, 50.847, 51.255],
        bgr_to_rgb=False),
    architecture=dict(
        cfg_path='mmcls::resnet/resnet18_8xb16_cifar10.py', pretrained=False),
    teachers=dict(
        res34=dict(
            build_cfg=dict(
                cfg_path='mmcls::resnet/resnet34_8xb16_cifar10.py',
                pretrained=False),
            ckpt_path=teacher_ckpt)),
    generator=dict(
        type='DAFLGenerator',
        img_size=32,
        latent_dim=256,
        hidden_channels=128,
        bn_eps=1e-5),
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
    student_train_first=True)

# DDP wraps the student and the generator separately, never the frozen
# teachers, and works on CPU (gloo) as well as GPU (nccl).
model_wrapper_cfg = dict(
    type='mmrazor_dfad.DataFreeDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

# 8 GPUs x 32 images; lr scales with the total when --auto-scale-lr is used.
auto_scale_lr = dict(base_batch_size=256)

default_hooks = dict(
    checkpoint=dict(interval=250, max_keep_ckpts=2))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=1000)]
