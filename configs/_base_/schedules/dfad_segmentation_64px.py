# DFAD on a 64x64 segmentation benchmark, without training data: what the
# MNIST mosaic and the Fashion-MNIST scene configs share. SGD student / Adam
# generator on cosine learning rates over the run; validation on the real
# validation canvases (mIoU, aAcc, student-teacher agreement) and on a bank
# of 256 generated images at latents seeded per index, never drawn in
# training (the label-free signals: pixel agreement and mIoU against the
# teacher's argmax). Configs inherit it after their dataset base and take
# `data_free_train_dataloader` (each item a placeholder for one generated
# image: nothing is read from disk) as `train_dataloader`,
# `seg_evaluators` as their evaluators, set the bank's `num_classes` and add
# `samples_hook` with their palette; the generator (64x64 images) keeps
# them in the pixel range of their real canvases through
# `pixel_normalization`.
_base_ = [
    '../models/dfad_pixel_logits.py', './dfad_alternating.py',
    '../default_runtime.py'
]
model = dict(
    generator=dict(
        type='DAFLGenerator',
        img_size=64,
        latent_dim=128,
        hidden_channels=64,
        upsample_stages='auto'))
data_free_train_dataloader = dict(
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
cosine = dict(
    type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=0.0)
param_scheduler = dict(
    _delete_=True, architecture=[cosine], generator=[cosine])
train_cfg = dict(max_iters=max_iters, val_interval=100)

label_free_seg_bank = dict(
    dataloader=dict(
        batch_size=64,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='GeneratedBankDataset', num_images=256, seed=0),
        collate_fn=dict(type='pseudo_collate')),
    evaluator=dict(type='SegTeacherStudentMetric', prefix='label_free'))
seg_evaluators = [
    dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']),
    dict(type='SegTeacherStudentMetric')
]
val_cfg = dict(type='DataFreeValLoop', label_free=label_free_seg_bank)
test_cfg = dict(type='DataFreeTestLoop', label_free=label_free_seg_bank)

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=100, max_keep_ckpts=1))
# Generated images beside the teacher's and the student's masks.
samples_hook = dict(
    type='GeneratedSamplesHook', interval=300, num_images=16, nrow=4)
