# DFAD on MNIST's teacher for a user with no real data at all: the MNIST
# recipe, validated on the generated bank only. The best checkpoint is the
# one with the best label-free score, and training stops early when that
# score has stopped improving (docs/label_free_evaluation.md). Nothing is
# read from data/.
_base_ = ['./dfad_logits_lenet5_lenet5half_1xb256_mnist.py']

label_free_score = 'label_free/agreement'

# The bank replaces the real validation and test sets.
val_dataloader = dict(
    batch_size=256,
    dataset=dict(
        _delete_=True, type='GeneratedBankDataset', num_images=1024, seed=0),
    collate_fn=dict(type='pseudo_collate'))
val_evaluator = [_base_.label_free_bank.evaluator]
val_cfg = dict(_delete_=True, type='DataFreeValLoop')
test_dataloader = val_dataloader
test_evaluator = val_evaluator
test_cfg = dict(_delete_=True, type='DataFreeTestLoop')

default_hooks = dict(
    checkpoint=dict(save_best=label_free_score, rule='greater'))
custom_hooks = [
    dict(type='GeneratedSamplesHook', interval=300),
    dict(
        type='LabelFreeEarlyStoppingHook',
        monitor=label_free_score,
        rule='greater',
        min_delta=0.1,
        patience=4)
]
