# Ablation: scene DFAD with both generator priors (dfad-bn-things, the
# BatchNorm term at weight 0.05) and random colours: every image of a
# generator update, and every image a student update replays from a pool
# of the generator updates' last 3,200 images, gets its own channel
# permutation, channel inversions and contrast gain (RandomColorShuffle),
# as the scene canvases give every sky, ground and garment its own colour.
_base_ = [
    './dfad-bn-things_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_'
    'fashion-scenes.py'
]
random_colors = dict(
    type='RandomColorShuffle',
    mean=_base_.data_preprocessor.mean,
    std=_base_.data_preprocessor.std)
model = dict(
    generator_distiller=dict(
        distill_losses=dict(loss_bn=dict(loss_weight=0.05))),
    generator_augmentation=random_colors,
    pool=dict(
        type='SyntheticImagePool',
        capacity=3200,
        replay_fraction=1.0,
        fill_from='generator',
        augmentation=random_colors))
