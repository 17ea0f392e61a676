# Ablation: the mosaic DFAD config with DAFL's priors in the generator's
# objective, on the teacher's per-pixel logits: one-hot-likeness (the
# cross-entropy of each pixel with its own argmax) and class balance
# (entropy of the batch-mean class distribution, per logit position; the
# classification recipe's weight 11.5 divided by the 8 x 8 positions it
# sums over).
_base_ = ['../dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py']
teacher_logits = dict(from_student=False, recorder='teacher_logits')
model = dict(
    generator_distiller=dict(
        distill_losses=dict(
            loss_onehot=dict(type='mmrazor.OnehotLikeLoss', loss_weight=1.0),
            loss_balance=dict(
                type='mmrazor.InformationEntropyLoss', loss_weight=11.5 / 64)),
        loss_forward_mappings=dict(
            loss_onehot=dict(preds_T=teacher_logits),
            loss_balance=dict(preds_T=teacher_logits))))
