# The DFAD paper's CamVid setting: DeepLabV3-ResNet-50 teacher ->
# DeepLabV3-MobileNetV2 student, 64 generated 128x128 images per step, 5
# student updates per generator update (student first), the generator
# maximising log(1 + L1), SGD 0.1 / Adam 1e-3 at constant rates, 300 x 50
# iterations. Needs a GPU, CamVid under data/camvid (docs/segmentation.md)
# and a teacher trained on it (model.teachers.deeplabv3.ckpt_path).
_base_ = [
    '../_base_/models/dfad_pixel_logits.py',
    '../_base_/datasets/camvid.py',
    '../_base_/schedules/dfad_alternating.py',
    '../_base_/default_runtime.py',
]
norm_cfg = dict(type='BN', requires_grad=True)
head = dict(
    type='ASPPHead',
    dilations=(1, 12, 24, 36),
    dropout_ratio=0.1,
    num_classes=11,
    norm_cfg=norm_cfg,
    align_corners=False,
    loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0))
teacher = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    backbone=dict(
        type='ResNetV1c',
        depth=50,
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        contract_dilation=True),
    decode_head=dict(head, in_channels=2048, in_index=3, channels=512),
    test_cfg=dict(mode='whole'))
student = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.0,
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),
        out_indices=(1, 2, 4, 6),
        norm_cfg=norm_cfg),
    decode_head=dict(head, in_channels=320, in_index=3, channels=256),
    test_cfg=dict(mode='whole'))
teacher_logits_recorder = dict(
    teacher_logits=dict(
        type='ModuleOutputs', source='deeplabv3.decode_head.conv_seg'))
model = dict(
    architecture=student,
    teachers=dict(
        deeplabv3=dict(
            build_cfg=teacher,
            ckpt_path='checkpoints/deeplabv3_r50-d8_camvid.pth')),
    generator=dict(
        type='DAFLGenerator',
        img_size=128,
        latent_dim=256,
        hidden_channels=128,
        upsample_stages='auto'),
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder),
    student_iter=5,
    student_train_first=True)

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(type='DataFreeDataset'),
    collate_fn=dict(type='pseudo_collate'))
optim_wrapper = dict(
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)),
    generator=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3)))
param_scheduler = dict(
    _delete_=True,
    architecture=[dict(type='ConstantLR', factor=1.0, by_epoch=False)],
    generator=[dict(type='ConstantLR', factor=1.0, by_epoch=False)])
# One "epoch" of the paper is 50 iterations; it validates after each.
train_cfg = dict(max_iters=15000, val_interval=50)
val_evaluator = [
    dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']),
    dict(type='SegTeacherStudentMetric')
]
test_evaluator = val_evaluator
val_cfg = dict(type='DataFreeValLoop')
test_cfg = dict(type='DataFreeTestLoop')
default_hooks = dict(checkpoint=dict(interval=500, max_keep_ckpts=2))
