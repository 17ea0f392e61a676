# LeNet-5 for 32x32 grayscale images as an MMCls classifier (the DFAD paper's
# MNIST teacher). LeNet-5-half: backbone.channels=(3, 8, 60), fc_channels=42,
# head.in_channels=42.
model = dict(
    type='mmcls.ImageClassifier',
    data_preprocessor=dict(
        type='mmcls.ClsDataPreprocessor', mean=[33.32], std=[78.57]),
    backbone=dict(
        type='LeNet5', in_channels=1, channels=(6, 16, 120), fc_channels=84),
    head=dict(
        type='mmcls.LinearClsHead',
        num_classes=10,
        in_channels=84,
        loss=dict(type='mmcls.CrossEntropyLoss')))
