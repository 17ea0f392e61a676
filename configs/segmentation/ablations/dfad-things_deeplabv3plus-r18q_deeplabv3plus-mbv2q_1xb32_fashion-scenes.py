# Ablation: plain scene DFAD with a class-balance prior over the 10 garment
# ("thing") logits in the generator's objective; sky and ground are left
# out of the balance (DAFL's prior over all classes would ask them to be
# as rare as each garment).
_base_ = [
    '../dfad_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py',
    '../../_base_/models/thing_balance_prior_fashion_scenes.py'
]
model = _base_.thing_prior_model
