# DFAD on MNIST without training data: LeNet-5 teacher -> LeNet-5-half
# student, 256 generated 32x32 images per step, a generator with 32 hidden
# channels, 1,200 iterations with cosine learning rates, the paper's
# optimisers, weight decay and student_iter (README.md: how it differs from
# the paper and why).
_base_ = [
    '../_base_/models/dfad_lenet5_lenet5half.py',
    '../_base_/datasets/mnist.py',
    '../_base_/datasets/generated_bank.py',
    '../_base_/schedules/dfad_cosine_1200it.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=_base_.data_preprocessor,
    teachers=dict(lenet5=dict(ckpt_path='checkpoints/lenet5_mnist.pth')))

# Training reads nothing from disk: each item is a placeholder for one
# generated image. Real MNIST images only measure the student: the
# validation split (held out from the training images) at each validation,
# the test split in tools/test.py and a benchmark's final test.
train_dataloader = dict(
    _delete_=True,
    batch_size=256,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(type='DataFreeDataset'),
    collate_fn=dict(type='pseudo_collate'))

# Each validation: the student's top-1/top-5 and the teacher's top-1 and
# their agreement on the real validation split, then the label-free signals
# on the generated bank (label_free/*), in one loop and one log line.
val_evaluator = [
    dict(_scope_='mmcls', type='Accuracy', topk=(1, 5)),
    dict(type='TeacherStudentMetric')
]
test_evaluator = val_evaluator
val_cfg = dict(
    type='DataFreeValLoop',
    label_free=[
        _base_.label_free_bank, _base_.label_free_mix, _base_.label_free_z2
    ])
test_cfg = dict(type='DataFreeTestLoop', label_free=_base_.label_free_bank)

default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=300, max_keep_ckpts=1))
custom_hooks = [dict(type='GeneratedSamplesHook', interval=300)]
