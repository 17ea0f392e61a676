# DFAD on the paper's MNIST pair: LeNet-5 teacher -> LeNet-5-half student,
# 32x32 grayscale, no training data. Sized for 2 CPU cores (<= 15 minutes):
# the paper's optimisers, weight decay and student_iter; batch 256 (paper
# 512), generator hidden_channels 32 (paper 128), 1,200 iterations (paper
# 2,000) with cosine learning rates (the paper steps them; annealing to 0
# lets the student settle, so the final iteration is the one reported).
# On 2 CPU cores the generator's cost grows with hidden_channels x batch, so
# a narrower generator buys a larger batch at the same speed. The generator
# learns for the first 300 iterations only (see param_scheduler). Final
# top-1 on the offline split, seeds 0-2: 97.30 / 97.10 / 97.55 (teacher 98.25;
# configs/dfad/README.md, results/mnist_dfad.json).
_base_ = [
    '../_base_/datasets/mnist.py',
    '../_base_/schedules/dfad_alternating.py',
    '../_base_/default_runtime.py',
]

teacher_ckpt = 'checkpoints/lenet5_mnist.pth'

logits_recorders = dict(
    student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
    teacher_recorders=dict(
        lenet5_fc=dict(type='ModuleOutputs', source='lenet5.head.fc')))
logits_mapping = dict(
    s_feature=dict(from_student=True, recorder='fc'),
    t_feature=dict(from_student=False, recorder='lenet5_fc'))

lenet5 = dict(
    type='mmcls.ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='LeNet5', channels=(6, 16, 120), fc_channels=84),
    head=dict(
        type='mmcls.LinearClsHead',
        num_classes=10,
        in_channels=84,
        loss=dict(type='mmcls.CrossEntropyLoss')))
lenet5_half = dict(
    lenet5,
    backbone=dict(type='LeNet5', channels=(3, 8, 60), fc_channels=42),
    head=dict(lenet5['head'], in_channels=42))

model = dict(
    type='DataFreeDistillation',
    data_preprocessor={{_base_.data_preprocessor}},
    architecture=lenet5_half,
    teachers=dict(lenet5=dict(build_cfg=lenet5, ckpt_path=teacher_ckpt)),
    generator=dict(
        type='DAFLGenerator',
        img_size=32,
        latent_dim=100,
        hidden_channels=32,
        out_channels=1,
        bn_eps=0.8),
    distiller=dict(
        type='ConfigurableDistiller',
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(loss_l1=logits_mapping),
        **logits_recorders),
    generator_distiller=dict(
        type='ConfigurableDistiller',
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=-1.0)),
        loss_forward_mappings=dict(loss_l1=logits_mapping),
        **logits_recorders),
    student_iter=5,
    student_train_first=True,
    # NHWC tensors: 1.27x faster iterations on 2 CPU cores for these small
    # convolutions (docs/speed.md); same math, other summation order.
    channels_last=True)

train_dataloader = dict(
    _delete_=True,
    batch_size=256,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(type='DataFreeDataset'),
    collate_fn=dict(type='pseudo_collate'))

max_iters = 1200
generator_iters = 300
optim_wrapper = dict(
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4)),
    generator=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3)))
param_scheduler = dict(
    _delete_=True,
    architecture=[
        dict(
            type='CosineAnnealingLR',
            by_epoch=False,
            T_max=max_iters,
            eta_min=0.0)
    ],
    # The generator learns for the first quarter only; the student then
    # settles on what it generates. Kept adversarial to the end, the
    # generator drifts to images that pull the student away from the real
    # data (seed 2: 96.7 at iteration 200, 93.85 at the end). `end` is one
    # past T_max because MMEngine's last scheduled step is end - 1: the rate
    # reaches exactly 0 there and stays 0, and from then on the generator
    # updates, which could not change it, are skipped
    # (optim_wrapper.skip_generator_at_zero_lr).
    generator=[
        dict(
            type='CosineAnnealingLR',
            by_epoch=False,
            T_max=generator_iters,
            end=generator_iters + 1,
            eta_min=0.0)
    ])
train_cfg = dict(max_iters=max_iters, val_interval=100)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=300, max_keep_ckpts=1))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=300)]
