# The impressions-soft-targets recipe with half of every replayed student
# batch drawn from the bank of optimised images (the pool's persistent
# region) and half from the generator's images, instead of uniformly over
# all held images (where the bank's share falls to 10,240 / 35,840 once
# the generator's region is full).
_base_ = [
    '../dfad_impressions-soft-targets_lenet5_lenet5half_1xb256_fashionmnist.py'
]

model = dict(pool=dict(persistent_fraction=0.5))
