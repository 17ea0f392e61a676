# Ablation: plain scene DFAD with the BatchNorm-statistics prior
# (DeepInversion) in the generator's objective: each generated batch is
# pushed to match the running statistics of every BatchNorm layer of the
# teacher, learnt on the real canvases.
_base_ = [
    '../dfad_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py'
]
model = dict(
    generator_distiller=dict(
        teacher_recorders=dict(
            teacher_bn=dict(
                type='BatchNormStatistics', source='deeplabv3plus')),
        distill_losses=dict(
            loss_bn=dict(type='BatchNormStatisticsLoss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_bn=dict(
                bn_statistics=dict(from_student=False,
                                   recorder='teacher_bn')))))
