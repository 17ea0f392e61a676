# The DFAD MNIST benchmark with MMPretrain in place of MMCls: its classifier
# and head (around the same LeNet-5 backbones), data preprocessor, MNIST
# dataset, packing and accuracy. Runs with MMCls absent.
_base_ = [
    '../dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist.py',
    '../_base_/models/mmpretrain_classifier.py'
]

model = dict(
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),
    architecture={{_base_.mmpretrain_classifier}},
    teachers=dict(lenet5=dict(build_cfg={{_base_.mmpretrain_classifier}})))

mnist_test_split = dict(
    _delete_=True,
    _scope_='mmpretrain',
    type='MNIST',
    data_root='data/mnist',
    split='test',
    # MMPretrain 1.2.0 picks the files by test_mode, not by split.
    test_mode=True,
    download=False,
    pipeline={{_base_.mmpretrain_test_pipeline}})
val_dataloader = dict(dataset=mnist_test_split)
test_dataloader = val_dataloader
val_evaluator = [
    dict(_scope_='mmpretrain', type='Accuracy', topk=(1, 5)),
    dict(type='TeacherStudentMetric')
]
test_evaluator = val_evaluator
