# The impressions-soft-targets recipe plus attention transfer in the
# student updates (ZSKT, MMRazor's ATLoss, beta 250 per map): the student
# also matches the teacher's spatial attention after the first two
# convolution stages (28x28 and 10x10 in both networks).
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

model = dict(
    distiller=dict(
        student_recorders=dict(
            relu1=dict(type='ModuleOutputs', source='backbone.features.1'),
            relu2=dict(type='ModuleOutputs', source='backbone.features.4')),
        teacher_recorders=dict(
            teacher_relu1=dict(
                type='ModuleOutputs', source='lenet5.backbone.features.1'),
            teacher_relu2=dict(
                type='ModuleOutputs', source='lenet5.backbone.features.4')),
        distill_losses=dict(
            loss_at1=dict(type='mmrazor.ATLoss', loss_weight=250.0),
            loss_at2=dict(type='mmrazor.ATLoss', loss_weight=250.0)),
        loss_forward_mappings=dict(
            loss_at1=dict(
                s_feature=dict(from_student=True, recorder='relu1'),
                t_feature=dict(from_student=False, recorder='teacher_relu1')),
            loss_at2=dict(
                s_feature=dict(from_student=True, recorder='relu2'),
                t_feature=dict(from_student=False,
                               recorder='teacher_relu2')))))
