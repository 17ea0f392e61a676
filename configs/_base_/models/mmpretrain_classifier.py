# MMPretrain in place of MMCls for the LeNet-5 configs, as values a config
# takes by name (``_base_.mmpretrain_model`` and so on): the classifier,
# head and loss merged into the LeNet-5 student and teacher (the backbone
# and every state-dict key stay the same, so the shipped teachers load
# unchanged), MMPretrain's data preprocessor, validation and test splits,
# packing and accuracy.
mmpretrain_classifier = dict(
    type='mmpretrain.ImageClassifier',
    # MMPretrain's default names its preprocessor without a scope, which
    # the default scope (mmrazor_dfad) cannot resolve. Unused in training:
    # the algorithm's data_preprocessor normalises the real images.
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        loss=dict(type='mmpretrain.CrossEntropyLoss')))
mmpretrain_model = dict(
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),
    architecture=mmpretrain_classifier,
    teachers=dict(lenet5=dict(build_cfg=mmpretrain_classifier)))


def _split(dataset_type, data_root):
    # Every key of the MMCls split it replaces is set (data_prefix too).
    return dict(
        _scope_='mmpretrain',
        type=dataset_type,
        data_root=data_root,
        data_prefix='',
        split='test',
        # MMPretrain 1.2.0 picks the files by test_mode, not by split: the
        # t10k-* files of data_root (in <root>/val, the validation images
        # held out from the training ones).
        test_mode=True,
        download=False,
        pipeline=[
            dict(type='Resize', scale=(32, 32)),
            dict(type='PackInputs'),
        ])


mmpretrain_mnist_val_split = _split('MNIST', 'data/mnist/val')
mmpretrain_mnist_test_split = _split('MNIST', 'data/mnist')
mmpretrain_fashion_mnist_val_split = _split('FashionMNIST',
                                            'data/fashion_mnist/val')
mmpretrain_fashion_mnist_test_split = _split('FashionMNIST',
                                             'data/fashion_mnist')
del _split
mmpretrain_evaluator = [
    dict(_scope_='mmpretrain', type='Accuracy', topk=(1, 5)),
    dict(type='TeacherStudentMetric')
]
