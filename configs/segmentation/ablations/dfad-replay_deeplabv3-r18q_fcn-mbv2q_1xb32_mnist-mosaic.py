# Ablation: the mosaic DFAD config with the classification recipe's replay
# pool: the last 100 generator batches (3,200 images) are kept, and every
# student batch is replayed from them, mixed in pairs (mixup).
_base_ = ['../dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py']
model = dict(
    pool=dict(
        type='SyntheticImagePool',
        capacity=3200,
        replay_fraction=1.0,
        fill_from='generator',
        mixup_alpha=1.0))
