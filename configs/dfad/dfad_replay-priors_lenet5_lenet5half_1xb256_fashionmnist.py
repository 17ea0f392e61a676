# DFAD with a replay pool, DAFL's class priors and an agreement-masked
# adversary (LeNet-5 -> LeNet-5-half, Fashion-MNIST, no training data).
# Components (docs/method_components.md): the student replays half of each
# batch from a pool of the last 25,600 generated images; the generator
# maximises the teacher-student L1 only on images both still classify alike,
# while DAFL's one-hot and information-entropy terms keep the teacher
# confident and its classes balanced on generated images.
_base_ = ['./dfad_logits_lenet5_lenet5half_fashionmnist.py']

teacher_logits = dict(from_student=False, recorder='lenet5_fc')
logits_pair = dict(
    s_feature=dict(from_student=True, recorder='fc'),
    t_feature=teacher_logits)
model = dict(
    pool=dict(type='SyntheticImagePool', capacity=25600, replay_fraction=0.5),
    generator_distiller=dict(
        distill_losses=dict(
            _delete_=True,
            loss_adv=dict(type='AgreementMaskedL1Loss', loss_weight=-1.0),
            loss_onehot=dict(
                type='mmrazor.OnehotLikeLoss', loss_weight=1.0),
            loss_balance=dict(
                type='mmrazor.InformationEntropyLoss', loss_weight=5.0)),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_adv=logits_pair,
            loss_onehot=dict(preds_T=teacher_logits),
            loss_balance=dict(preds_T=teacher_logits))))

max_iters = 1200
optim_wrapper = dict(generator=dict(optimizer=dict(lr=1e-3)))
param_scheduler = dict(generator=[
    dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters,
         eta_min=0.0)
])
