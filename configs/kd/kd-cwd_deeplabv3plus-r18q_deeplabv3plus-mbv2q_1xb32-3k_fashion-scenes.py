# KD-ORI with channel-wise distillation (CWD, MMRazor's
# ChannelWiseDivergence: each class map a distribution over pixels,
# temperature 4, weight 3, as MMRazor's CWD segmentation configs) instead of
# the pixel KL; no label loss.
_base_ = [
    './kd-kl_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32-3k_'
    'fashion-scenes.py', '../_base_/models/channel_wise_divergence.py'
]
model = dict(
    distiller=dict(
        distill_losses=dict(_delete_=True, loss_cwd=_base_.cwd_loss),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_cwd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits')))))
