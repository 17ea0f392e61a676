# Ablation: the mosaic DFAD config with the BatchNorm-statistics prior
# (DeepInversion) in the generator's objective: each generated batch is
# pushed to match the running statistics of every BatchNorm layer of the
# teacher, learnt on real canvases.
_base_ = [
    '../dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py',
    '../../_base_/models/bn_statistics_prior.py'
]
model = dict(
    generator_distiller=dict(
        teacher_recorders=dict(
            teacher_bn=dict(type='BatchNormStatistics', source='deeplabv3')),
        distill_losses=_base_.bn_prior_losses,
        loss_forward_mappings=_base_.bn_prior_mappings))
