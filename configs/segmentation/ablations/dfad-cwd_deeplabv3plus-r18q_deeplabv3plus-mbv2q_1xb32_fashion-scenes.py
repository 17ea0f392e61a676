# Ablation: plain scene DFAD whose student learns with channel-wise
# distillation (the KD-ORI CWD bound's loss) instead of the pixel L1; the
# generator keeps the paper's log(1 + L1) objective.
_base_ = [
    '../dfad_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py',
    '../../_base_/models/channel_wise_divergence.py'
]
model = dict(
    distiller=dict(
        loss_forward_mappings=dict(
            _delete_=True,
            loss_cwd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='teacher_logits'))),
        distill_losses=dict(_delete_=True, loss_cwd=_base_.cwd_loss)))
