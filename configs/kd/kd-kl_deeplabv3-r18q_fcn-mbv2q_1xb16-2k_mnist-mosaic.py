# Baseline: KD from the mosaic teacher on the real training canvases with
# the usual segmentation KD loss, the per-pixel KL divergence of the class
# distributions (temperature 1; summed over pixels, mean over images),
# instead of DFAD's pixel L1. Everything else as the L1 baseline.
_base_ = ['./kd-l1_deeplabv3-r18q_fcn-mbv2q_1xb16-2k_mnist-mosaic.py']
model = dict(
    distiller=dict(
        distill_losses=dict(
            _delete_=True,
            loss_kl=dict(
                type='mmrazor.KLDivergence',
                tau=1.0,
                reduction='batchmean',
                loss_weight=1.0)),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits')))))
