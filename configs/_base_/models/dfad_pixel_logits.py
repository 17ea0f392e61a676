# DFAD on per-pixel logits of MMSeg segmentors: the student minimises, the
# generator maximises, the L1 distance between the decode heads' logits
# (``decode_head.conv_seg`` outputs, resized where output strides differ).
# The generator maximises log(1 + L1), as the paper's segmentation code.
# Configs add ``architecture``, ``teachers``, ``generator`` and, in both
# distillers, the ``teacher_logits`` recorder of their teacher:
# ``teacher_recorders=dict(teacher_logits=dict(type='ModuleOutputs',
# source='<teacher name>.decode_head.conv_seg'))``.
pixel_logits_mapping = dict(
    student_logits=dict(from_student=True, recorder='logits'),
    teacher_logits=dict(from_student=False, recorder='teacher_logits'))
student_pixel_logits_recorder = dict(
    logits=dict(type='ModuleOutputs', source='decode_head.conv_seg'))

model = dict(
    type='DataFreeDistillation',
    task=dict(type='SegmentationTask'),
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=student_pixel_logits_recorder,
        distill_losses=dict(loss_l1=dict(type='PixelL1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(loss_l1=pixel_logits_mapping)),
    generator_distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=student_pixel_logits_recorder,
        distill_losses=dict(
            loss_l1=dict(type='PixelL1Loss', loss_weight=-1.0, log1p=True)),
        loss_forward_mappings=dict(loss_l1=pixel_logits_mapping)),
    student_iter=5,
    student_train_first=False)

model_wrapper_cfg = dict(
    type='mmrazor_dfad.DataFreeDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)
