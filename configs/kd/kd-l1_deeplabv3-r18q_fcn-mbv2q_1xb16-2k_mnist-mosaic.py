# Baseline: KD from the mosaic teacher on the real training canvases (a
# data-driven upper bound of DFAD on the mosaic benchmark): the same student,
# the same pixel L1 between the decode heads' logits, no label loss; batch
# 16, 2,000 iterations, AdamW + poly learning rate (the teacher's recipe).
_base_ = [
    '../_base_/models/deeplabv3_r18-quarter-d8_mosaic.py',
    '../_base_/models/fcn_mobilenetv2-quarter-d8_mosaic.py',
    '../_base_/datasets/mnist_mosaic.py',
    '../_base_/schedules/adamw_poly_2k.py',
    '../_base_/default_runtime.py',
]
pixel_logits = dict(type='ModuleOutputs', source='decode_head.conv_seg')
model = dict(
    type='mmrazor.SingleTeacherDistill',
    data_preprocessor=_base_.data_preprocessor,
    architecture=_base_.fcn_mobilenetv2_quarter,
    teacher=_base_.deeplabv3_r18_quarter,
    teacher_ckpt='checkpoints/deeplabv3_r18-quarter_mnist-mosaic.pth',
    calculate_student_loss=False,
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(logits=pixel_logits),
        teacher_recorders=dict(logits=pixel_logits),
        distill_losses=dict(
            loss_l1=dict(type='mmrazor_dfad.PixelL1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_l1=dict(
                student_logits=dict(from_student=True, recorder='logits'),
                teacher_logits=dict(from_student=False, recorder='logits')))))
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=500, max_keep_ckpts=1))
