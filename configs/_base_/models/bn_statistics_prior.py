# The BatchNorm-statistics prior (DeepInversion) for a generator's
# objective: each generated batch is pushed to match the running statistics
# of every BatchNorm layer of the teacher. A config adds the loss and its
# mapping to model.generator_distiller, with a recorder named teacher_bn:
# dict(type='BatchNormStatistics', source=<the teacher's name>).
bn_prior_losses = dict(
    loss_bn=dict(type='BatchNormStatisticsLoss', loss_weight=1.0))
bn_prior_mappings = dict(
    loss_bn=dict(
        bn_statistics=dict(from_student=False, recorder='teacher_bn')))
