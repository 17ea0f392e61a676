# DFAD on Fashion-MNIST with MMPretrain in place of MMCls (the MMCls config
# is ../dfad/dfad_logits_lenet5_lenet5half_1xb256_fashionmnist.py).
_base_ = [
    '../dfad/dfad_logits_lenet5_lenet5half_1xb256_fashionmnist.py',
    '../_base_/models/mmpretrain_classifier.py'
]

model = _base_.mmpretrain_model
val_dataloader = dict(dataset=_base_.mmpretrain_fashion_mnist_val_split)
test_dataloader = dict(dataset=_base_.mmpretrain_fashion_mnist_test_split)
val_evaluator = _base_.mmpretrain_evaluator
test_evaluator = val_evaluator
