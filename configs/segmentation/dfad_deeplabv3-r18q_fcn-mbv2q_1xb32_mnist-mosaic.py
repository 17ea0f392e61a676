# DFAD for segmentation without training data: DeepLabV3 / quarter-width
# ResNet-18 teacher -> FCN / quarter-width MobileNetV2 student on the MNIST
# mosaic benchmark (64x64 canvases, 11 classes); 32 generated images per
# step (the paper's CamVid setting takes 64; docs/segmentation.md: why
# 32). The real canvases only measure the student (mIoU, aAcc) and the
# teacher: the validation canvases (made of training-source digits) at each
# validation, the test canvases in tools/test.py; the generated bank gives
# the label-free metrics.
_base_ = [
    '../_base_/models/dfad_pixel_logits.py',
    '../_base_/models/deeplabv3_r18-quarter-d8_mosaic.py',
    '../_base_/models/fcn_mobilenetv2-quarter-d8_mosaic.py',
    '../_base_/datasets/mnist_mosaic.py',
    '../_base_/schedules/dfad_alternating.py',
    '../_base_/default_runtime.py',
]
teacher_logits_recorder = dict(
    teacher_logits=dict(
        type='ModuleOutputs', source='deeplabv3.decode_head.conv_seg'))
model = dict(
    architecture=_base_.fcn_mobilenetv2_quarter,
    teachers=dict(
        deeplabv3=dict(
            build_cfg=_base_.deeplabv3_r18_quarter,
            ckpt_path='checkpoints/deeplabv3_r18-quarter_mnist-mosaic.pth')),
    generator=dict(
        type='DAFLGenerator',
        img_size=64,
        latent_dim=128,
        hidden_channels=64,
        upsample_stages='auto',
        # Generated images stay in the pixel range of real canvases.
        pixel_normalization=dict(
            mean=_base_.data_preprocessor.mean,
            std=_base_.data_preprocessor.std)),
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder))

# Training reads nothing from disk: each item is a placeholder for one
# generated image.
train_dataloader = dict(
    _delete_=True,
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(type='DataFreeDataset'),
    collate_fn=dict(type='pseudo_collate'))

max_iters = 600
optim_wrapper = dict(
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4)),
    generator=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3)))
# Cosine learning rates over the run, for both players.
cosine = dict(
    type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=0.0)
param_scheduler = dict(
    _delete_=True, architecture=[cosine], generator=[cosine])
train_cfg = dict(max_iters=max_iters, val_interval=100)

# 256 generated images at latents seeded per index (never drawn in
# training): pixel agreement and mIoU against the teacher's argmax.
label_free_seg_bank = dict(
    dataloader=dict(
        batch_size=64,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='GeneratedBankDataset', num_images=256, seed=0),
        collate_fn=dict(type='pseudo_collate')),
    evaluator=dict(
        type='SegTeacherStudentMetric', num_classes=11, prefix='label_free'))
val_evaluator = [
    dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']),
    dict(type='SegTeacherStudentMetric')
]
test_evaluator = val_evaluator
val_cfg = dict(type='DataFreeValLoop', label_free=label_free_seg_bank)
test_cfg = dict(type='DataFreeTestLoop', label_free=label_free_seg_bank)

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=100, max_keep_ckpts=1))
# Generated images beside the teacher's and the student's masks.
samples_hook = dict(
    type='GeneratedSamplesHook',
    interval=300,
    num_images=16,
    nrow=4,
    palette=_base_.mosaic_metainfo.palette)
custom_hooks = [samples_hook]
