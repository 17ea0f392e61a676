# Channel-wise distillation (CWD, MMRazor's ChannelWiseDivergence) of
# per-pixel logits: each class map becomes a distribution over the pixels
# (temperature 4) and the student's matches the teacher's by KL, weight 3,
# as MMRazor's CWD segmentation configs. A config puts `cwd_loss` in a
# distiller's distill_losses and maps preds_S / preds_T to its recorders.
cwd_loss = dict(type='mmrazor.ChannelWiseDivergence', tau=4, loss_weight=3)
