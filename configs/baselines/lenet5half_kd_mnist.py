# Baseline (b): KD from the shipped LeNet-5 teacher on the real MNIST
# training images (the data-driven upper bound): the same L1 loss on logits
# as DFAD, no label loss, the teacher's recipe (20 epochs).
_base_ = ['./lenet5half_supervised_mnist.py']
teacher_ckpt = 'checkpoints/lenet5_mnist.pth'
teacher = dict(
    type='mmcls.ImageClassifier',
    backbone=dict(type='LeNet5', channels=(6, 16, 120), fc_channels=84),
    head=dict(
        type='mmcls.LinearClsHead',
        num_classes=10,
        in_channels=84,
        loss=dict(type='mmcls.CrossEntropyLoss')))
student = dict(
    teacher,
    backbone=dict(type='LeNet5', channels=(3, 8, 60), fc_channels=42),
    head=dict(teacher['head'], in_channels=42))
model = dict(
    _delete_=True,
    type='mmrazor.SingleTeacherDistill',
    architecture=student,
    teacher=teacher,
    teacher_ckpt=teacher_ckpt,
    calculate_student_loss=False,
    data_preprocessor={{_base_.data_preprocessor}},
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_l1=dict(
                s_feature=dict(from_student=True, recorder='fc'),
                t_feature=dict(from_student=False, recorder='fc')))))
