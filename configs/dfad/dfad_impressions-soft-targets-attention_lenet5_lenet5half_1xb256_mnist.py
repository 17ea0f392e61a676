# The impressions-soft-targets recipe plus attention transfer in the
# student updates (ZSKT, MMRazor's ATLoss, beta 250 per map): the student
# also matches the teacher's spatial attention after the first two
# convolution stages (28x28 and 10x10 in both networks).
_base_ = [
    '../_base_/models/dafl_zskt_lenet5.py',
    './dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_mnist.py'
]

model = dict(
    distiller=dict(
        student_recorders=_base_.attention,
        teacher_recorders=_base_.teacher_attention,
        distill_losses=_base_.attention_losses,
        loss_forward_mappings=_base_.attention_loss_mappings))
