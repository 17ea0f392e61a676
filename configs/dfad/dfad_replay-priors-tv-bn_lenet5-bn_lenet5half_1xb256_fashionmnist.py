# The replay-priors-tv recipe distilled from the LeNet-5 with BatchNorm
# teacher, plus the BN-statistics prior: generated batches are pushed to
# match the running statistics of every BatchNorm layer of the teacher.
_base_ = ['./dfad_replay-priors-tv_lenet5_lenet5half_1xb256_fashionmnist.py']

model = dict(
    teachers=dict(
        lenet5=dict(
            build_cfg=dict(backbone=dict(with_bn=True)),
            ckpt_path='checkpoints/lenet5_bn_fashionmnist.pth')),
    generator_distiller=dict(
        teacher_recorders=dict(
            lenet5_bn=dict(type='BatchNormStatistics', source='lenet5')),
        distill_losses=dict(
            loss_bn=dict(type='BatchNormStatisticsLoss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_bn=dict(
                bn_statistics=dict(from_student=False,
                                   recorder='lenet5_bn')))))
