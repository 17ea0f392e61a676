# KD from LeNet-5 to LeNet-5-half with DFAD's student loss (L1 between the
# logits) and no label loss. Configs add ``data_preprocessor`` and
# ``teacher_ckpt``.
_base_ = ['./lenet5.py']
model = dict(
    type='mmrazor.SingleTeacherDistill',
    architecture=_base_.lenet5_half,
    teacher=_base_.lenet5,
    calculate_student_loss=False,
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_l1=dict(
                s_feature=dict(from_student=True, recorder='fc'),
                t_feature=dict(from_student=False, recorder='fc')))))
