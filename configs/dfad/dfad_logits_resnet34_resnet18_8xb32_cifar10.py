# DFAD, ResNet-34 teacher -> ResNet-18 student on CIFAR-10 (the MMRazor
# model-zoo row), 8 GPUs x 32 generated images per step.
_base_ = [
    '../_base_/models/dfad_logits.py',
    '../_base_/datasets/cifar10_data_free.py',
    '../_base_/schedules/dfad_alternating.py',
    '../_base_/default_runtime.py',
]

teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_b16x8_cifar10_20210528-a8aa36a6.pth'  # noqa: E501
teacher_logits_recorder = dict(
    teacher_fc=dict(type='ModuleOutputs', source='res34.head.fc'))

model = dict(
    # Normalises the real images; generated images are already
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
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder))

# 8 GPUs x 32 images; lr scales with the total when --auto-scale-lr is used.
auto_scale_lr = dict(base_batch_size=256)

default_hooks = dict(checkpoint=dict(interval=250, max_keep_ckpts=2))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=1000)]
