# DFAD, ResNet-34 -> ResNet-18 on CIFAR-10 with MMPretrain's models, CIFAR-10
# validation and test splits and accuracy in place of MMCls's (the MMCls
# config is ../dfad/dfad_logits_resnet34_resnet18_8xb32_cifar10.py).
# MMPretrain's CIFAR ResNet-34 has the same weights file as MMCls's.
_base_ = ['../dfad/dfad_logits_resnet34_resnet18_8xb32_cifar10.py']

model = dict(
    architecture=dict(cfg_path='mmpretrain::resnet/resnet18_8xb16_cifar10.py'),
    teachers=dict(
        res34=dict(
            build_cfg=dict(
                cfg_path='mmpretrain::resnet/resnet34_8xb16_cifar10.py'))))

# Every key of the MMCls splits it replaces is set (data_prefix too).
# MMPretrain 1.2.0 picks the files by test_mode, not by split.
cifar10_split = dict(
    _scope_='mmpretrain',
    type='CIFAR10',
    data_root='data/cifar10',
    data_prefix='',
    download=False,
    pipeline=[dict(type='PackInputs')])
# Validation: the first 5,000 training images, as the MMCls config.
val_dataloader = dict(
    dataset=dict(cifar10_split, split='train', test_mode=False, indices=5000))
test_dataloader = dict(
    dataset=dict(cifar10_split, split='test', test_mode=True))
val_evaluator = dict(_scope_='mmpretrain', type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
