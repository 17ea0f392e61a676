# DAFL's and ZSKT's distillers for the LeNet-5 teacher (``lenet5``) and the
# LeNet-5-half student, and their schedule, as pieces a config takes with
# ``_base_.NAME`` to replace the DFAD ones it inherits.

# Adam for the student and cosine learning rates for both players over
# the whole run (a scheduler without ``end`` or ``T_max`` spans it).
student_adam = dict(optimizer=dict(_delete_=True, type='Adam', lr=2e-3))
cosine_over_the_run = dict(
    _delete_=True,
    architecture=[dict(type='CosineAnnealingLR', by_epoch=False, eta_min=0.0)],
    generator=[dict(type='CosineAnnealingLR', by_epoch=False, eta_min=0.0)])
student_fc = dict(fc=dict(type='ModuleOutputs', source='head.fc'))
teacher_fc = dict(
    teacher_fc=dict(type='ModuleOutputs', source='lenet5.head.fc'))
logits = dict(
    preds_S=dict(from_student=True, recorder='fc'),
    preds_T=dict(from_student=False, recorder='teacher_fc'))

# DAFL (Chen et al. 2019, its MNIST weights): the student matches the
# teacher's softmax; the generator makes images the teacher classifies
# confidently (one-hot), in balanced classes (information entropy, log10
# as in DAFL's code) and with strong penultimate features (activation).
dafl_distiller = dict(
    _delete_=True,
    type='ConfigurableDistiller',
    student_recorders=student_fc,
    teacher_recorders=teacher_fc,
    distill_losses=dict(loss_kl=dict(type='KLDivergence', tau=1.0)),
    loss_forward_mappings=dict(loss_kl=logits))
dafl_generator_distiller = dict(
    _delete_=True,
    type='ConfigurableDistiller',
    teacher_recorders=dict(
        teacher_fc,
        teacher_features=dict(
            type='ModuleOutputs', source='lenet5.backbone.fc')),
    distill_losses=dict(
        loss_onehot=dict(type='OnehotLikeLoss', loss_weight=1.0),
        loss_entropy=dict(type='InformationEntropyLoss', loss_weight=5.0),
        loss_activation=dict(type='ActivationLoss', loss_weight=0.1)),
    loss_forward_mappings=dict(
        loss_onehot=dict(preds_T=logits['preds_T']),
        loss_entropy=dict(preds_T=logits['preds_T']),
        loss_activation=dict(
            feat_T=dict(from_student=False, recorder='teacher_features'))))

# ZSKT (Micaelli & Storkey 2019, as MMRazor configures it): the student
# matches the teacher's softmax and its attention maps after the first two
# convolution stages (28x28 and 10x10 in both networks; beta 250); the
# generator maximises the same KL divergence. The attention transfer is
# also a piece of its own (``attention``, ``teacher_attention``,
# ``attention_losses``, ``attention_loss_mappings``) that other student
# distillers add.
attention = dict(
    relu1=dict(type='ModuleOutputs', source='backbone.features.1'),
    relu2=dict(type='ModuleOutputs', source='backbone.features.4'))
teacher_attention = dict(
    teacher_relu1=dict(
        type='ModuleOutputs', source='lenet5.backbone.features.1'),
    teacher_relu2=dict(
        type='ModuleOutputs', source='lenet5.backbone.features.4'))
attention_losses = dict(
    loss_at1=dict(type='ATLoss', loss_weight=250.0),
    loss_at2=dict(type='ATLoss', loss_weight=250.0))
attention_loss_mappings = dict(
    loss_at1=dict(
        s_feature=dict(from_student=True, recorder='relu1'),
        t_feature=dict(from_student=False, recorder='teacher_relu1')),
    loss_at2=dict(
        s_feature=dict(from_student=True, recorder='relu2'),
        t_feature=dict(from_student=False, recorder='teacher_relu2')))
zskt_distiller = dict(
    _delete_=True,
    type='ConfigurableDistiller',
    student_recorders=dict(student_fc, **attention),
    teacher_recorders=dict(teacher_fc, **teacher_attention),
    distill_losses=dict(
        attention_losses,
        loss_kl=dict(type='KLDivergence', loss_weight=2.0, reduction='mean')),
    loss_forward_mappings=dict(attention_loss_mappings, loss_kl=logits))
zskt_generator_distiller = dict(
    _delete_=True,
    type='ConfigurableDistiller',
    student_recorders=student_fc,
    teacher_recorders=teacher_fc,
    distill_losses=dict(
        loss_kl=dict(
            type='KLDivergence',
            loss_weight=-2.0,
            reduction='mean',
            teacher_detach=False)),
    loss_forward_mappings=dict(loss_kl=logits))
