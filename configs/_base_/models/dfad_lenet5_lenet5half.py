# DFAD with the DAFL / DFAD papers' MNIST pair: a frozen LeNet-5 teacher, a
# LeNet-5-half student and a DAFL generator of 32x32 grayscale images.
# Configs add ``data_preprocessor`` and the teacher's ``ckpt_path``.
_base_ = ['./lenet5.py', './dfad_logits.py']

teacher_logits_recorder = dict(
    teacher_fc=dict(type='ModuleOutputs', source='lenet5.head.fc'))
model = dict(
    architecture=_base_.lenet5_half,
    teachers=dict(lenet5=dict(build_cfg=_base_.lenet5)),
    generator=dict(
        type='DAFLGenerator',
        img_size=32,
        latent_dim=100,
        hidden_channels=32,
        out_channels=1,
        bn_eps=0.8),
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder),
    # NHWC tensors (the same math in another summation order).
    channels_last=True)
