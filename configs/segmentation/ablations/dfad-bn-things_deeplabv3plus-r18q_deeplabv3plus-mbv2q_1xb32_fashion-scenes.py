# Ablation: scene DFAD with both generator priors: the teacher's
# BatchNorm statistics (dfad-bn) and the class balance over the 10 garment
# logits (dfad-things).
_base_ = [
    './dfad-bn_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py',
    '../../_base_/models/thing_balance_prior_fashion_scenes.py'
]
model = _base_.thing_prior_model
