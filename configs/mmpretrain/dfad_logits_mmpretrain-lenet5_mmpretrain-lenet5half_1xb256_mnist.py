# The DFAD MNIST benchmark with MMPretrain in place of MMCls: its classifier
# and head (around the same LeNet-5 backbones), data preprocessor, MNIST
# dataset, packing and accuracy. Runs with MMCls absent.
_base_ = [
    '../dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/models/mmpretrain_classifier.py'
]

model = _base_.mmpretrain_model
val_dataloader = dict(dataset=_base_.mmpretrain_mnist_val_split)
test_dataloader = dict(dataset=_base_.mmpretrain_mnist_test_split)
val_evaluator = _base_.mmpretrain_evaluator
test_evaluator = val_evaluator
