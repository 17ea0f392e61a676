# LeNet-5 and LeNet-5-half (the DAFL / DFAD papers' MNIST pair) as MMCls
# classifiers for 32x32 grayscale images. One network plays several roles
# (the supervised model, a teacher, a student), so configs take it by name:
# ``_base_.lenet5``, ``_base_.lenet5_half``.
lenet5 = dict(
    type='mmcls.ImageClassifier',
    backbone=dict(
        type='DAFLLeNet5',
        in_channels=1,
        channels=(6, 16, 120),
        fc_channels=84),
    head=dict(
        type='mmcls.LinearClsHead',
        num_classes=10,
        in_channels=84,
        loss=dict(type='mmcls.CrossEntropyLoss')))
lenet5_half = dict(
    lenet5,
    backbone=dict(lenet5['backbone'], channels=(3, 8, 60), fc_channels=42),
    head=dict(lenet5['head'], in_channels=42))
