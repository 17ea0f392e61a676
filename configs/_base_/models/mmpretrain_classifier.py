# MMPretrain's classifier, head and loss, as a piece a config merges into
# the LeNet-5 models of ``lenet5.py`` (``{{_base_.mmpretrain_classifier}}``)
# to build them with MMPretrain instead of MMCls; the backbone and every
# state-dict key stay the same, so the shipped teachers load unchanged.
mmpretrain_classifier = dict(
    type='mmpretrain.ImageClassifier',
    # MMPretrain's default names its preprocessor without a scope, which
    # the default scope (mmrazor_dfad) cannot resolve. Unused in training:
    # the algorithm's data_preprocessor normalises the real images.
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        loss=dict(type='mmpretrain.CrossEntropyLoss')))
# Real images read and packed by MMPretrain.
mmpretrain_test_pipeline = [
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackInputs'),
]
