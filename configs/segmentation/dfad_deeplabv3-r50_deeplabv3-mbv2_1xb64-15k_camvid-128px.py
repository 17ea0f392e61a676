# The DFAD paper's CamVid setting (its DFAD_camvid_deeplab.py run with
# --scheduler): DeepLabV3-ResNet-50 teacher -> DeepLabV3-MobileNetV2
# student, its DCGAN generator making 64 128x128 images per step from a
# 256-d latent, 5 student updates per generator update (student first), the
# generator maximising log(1 + L1), SGD 0.1 / Adam 1e-3 both decayed x0.1
# after 100 and 200 of 300 "epochs" of 50 iterations, CamVid preprocessed
# and evaluated as the paper does (configs/_base_/datasets/camvid.py). Needs
# a GPU, CamVid under data/camvid (docs/segmentation.md) and a teacher
# trained on it with that preprocessing (model.teachers.deeplabv3.ckpt_path).
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
    # The paper's GeneratorB (ngf 64). Its tanh output is already in the
    # range of the 0.5/0.5-normalised images the teacher was trained on;
    # pixel_normalization keeps it so if the preprocessor's statistics are
    # changed for another teacher (with 127.5/127.5 it maps tanh to itself).
    generator=dict(
        type='DCGANGenerator',
        img_size=128,
        latent_dim=256,
        hidden_channels=512,
        pixel_normalization=dict(
            mean=_base_.data_preprocessor.mean,
            std=_base_.data_preprocessor.std)),
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder),
    student_iter=5,
    student_train_first=True)

# Training reads nothing from disk: each item is a placeholder for one
# generated image.
train_dataloader = dict(
    _delete_=True,
    batch_size=64,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(type='DataFreeDataset'),
    collate_fn=dict(type='pseudo_collate'))
optim_wrapper = dict(
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)),
    generator=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3)))
# One "epoch" of the paper is 50 iterations; it validates after each, and
# its StepLR (step 100 epochs, gamma 0.1, stepped after each epoch) lowers
# both learning rates from iteration 5,000 and again from 10,000. The
# schedulers step once per iteration (5 student + 1 generator updates).
epoch_iters = 50
decay = dict(
    type='MultiStepLR',
    by_epoch=False,
    milestones=[100 * epoch_iters, 200 * epoch_iters],
    gamma=0.1)
param_scheduler = dict(_delete_=True, architecture=[decay], generator=[decay])
train_cfg = dict(max_iters=300 * epoch_iters, val_interval=epoch_iters)
val_evaluator = [
    dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']),
    dict(type='SegTeacherStudentMetric')
]
test_evaluator = val_evaluator
val_cfg = dict(type='DataFreeValLoop')
test_cfg = dict(type='DataFreeTestLoop')
default_hooks = dict(checkpoint=dict(interval=500, max_keep_ckpts=2))
