# LeNet-5 as a plain MMCls classifier (supervised training); configs add the
# dataset's ``data_preprocessor``.
_base_ = ['./lenet5.py']
model = dict(
    type='mmcls.ImageClassifier',
    backbone={{_base_.lenet5.backbone}},
    head={{_base_.lenet5.head}})
