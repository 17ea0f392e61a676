# The replay-priors-tv recipe on top of DFAD on logits, for configs of any
# teacher to take by name (``_base_.replay_pool`` and so on);
# docs/method_components.md describes each piece:
# - ``replay_pool``: a pool of the last 100 generated batches; every
#   student batch is replayed from it, mixed in pairs (mixup);
# - ``replay_generator_losses`` / ``replay_generator_loss_mappings``: the
#   generator's objective: the L1 adversary masked to samples on which
#   teacher and student agree, DAFL's one-hot and class-balance terms on the
#   teacher's logits, and a total-variation prior on the generated images.
#   The config records its teacher's input as ``teacher_input`` and replaces
#   the generator distiller's losses and mappings with these
#   (``_delete_=True``).
teacher_logits = dict(from_student=False, recorder='teacher_fc')

replay_pool = dict(
    type='SyntheticImagePool',
    capacity=25600,
    replay_fraction=1.0,
    fill_from='generator',
    mixup_alpha=1.0)
replay_generator_losses = dict(
    loss_adv=dict(type='AgreementMaskedL1Loss', loss_weight=-1.0),
    loss_onehot=dict(type='mmrazor.OnehotLikeLoss', loss_weight=1.0),
    # MMRazor's entropy uses log10; 11.5 = 5 x ln(10), i.e. DAFL's weight 5
    # on the natural-log entropy.
    loss_balance=dict(type='mmrazor.InformationEntropyLoss', loss_weight=11.5),
    loss_tv=dict(type='TotalVariationLoss', loss_weight=1.0))
replay_generator_loss_mappings = dict(
    loss_adv=dict(
        s_feature=dict(from_student=True, recorder='fc'),
        t_feature=teacher_logits),
    loss_onehot=dict(preds_T=teacher_logits),
    loss_balance=dict(preds_T=teacher_logits),
    loss_tv=dict(
        images=dict(from_student=False, recorder='teacher_input', data_idx=0)))

# Soft class targets (ZSKD) in place of DAFL's one-hot term: each generated
# image's teacher output at temperature 20 is pulled toward a Dirichlet
# target around its argmax class, shaped by the similarity of the
# teacher's classifier rows. The weight 20 (= the temperature) gives the
# term the gradient scale of the one-hot cross-entropy. The config records
# the classifier weight as ``teacher_fc_weight``.
soft_target_generator_losses = dict(
    {
        name: loss
        for name, loss in replay_generator_losses.items()
        if name != 'loss_onehot'
    },
    loss_soft_targets=dict(
        type='ClassSimilarityKLLoss',
        num_classes=10,
        betas=(1.0, 0.1),
        temperature=20.0,
        loss_weight=20.0))
soft_target_generator_loss_mappings = dict(
    {
        name: mapping
        for name, mapping in replay_generator_loss_mappings.items()
        if name != 'loss_onehot'
    },
    loss_soft_targets=dict(
        preds_T=teacher_logits,
        classifier_weight=dict(
            from_student=False, recorder='teacher_fc_weight')))
