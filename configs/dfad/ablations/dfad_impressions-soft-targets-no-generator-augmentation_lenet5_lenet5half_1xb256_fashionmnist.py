# Ablation of the impressions-soft-targets recipe: the generator's update
# sees its images unaugmented (bank and soft targets kept).
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

model = dict(generator_augmentation=None)
