# LeNet-5 as a plain MMCls classifier (supervised training); configs add the
# dataset's ``data_preprocessor``.
_base_ = ['./lenet5.py']
model = _base_.lenet5
