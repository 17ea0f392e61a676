# The mosaic DFAD config for a user with no real data at all: validated on
# the generated bank only (pixel agreement of student and teacher, the
# student's mIoU against the teacher's argmax). The best checkpoint is the
# one with the best pixel agreement. Nothing is read from data/.
_base_ = ['./dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py']

label_free_score = 'label_free/agreement'

# The bank replaces the real validation and test sets.
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True, type='GeneratedBankDataset', num_images=256, seed=0),
    collate_fn=dict(type='pseudo_collate'))
val_evaluator = [_base_.val_cfg.label_free.evaluator]
# The bank is the validation set itself, not an extra one.
val_cfg = dict(label_free=None)
test_dataloader = val_dataloader
test_evaluator = val_evaluator
test_cfg = dict(label_free=None)

default_hooks = dict(
    checkpoint=dict(save_best=label_free_score, rule='greater'))
