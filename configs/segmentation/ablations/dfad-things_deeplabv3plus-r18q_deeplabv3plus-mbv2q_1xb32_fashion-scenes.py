# Ablation: plain scene DFAD with a class-balance prior over the garment
# ("thing") classes only in the generator's objective: the batch-mean
# teacher distribution over the 10 garment logits is pushed toward uniform
# and garments toward at least 30% of the pixels; sky and ground are left
# out of the balance (DAFL's prior over all classes would ask them to be
# as rare as each garment).
_base_ = [
    '../dfad_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py'
]
model = dict(
    generator_distiller=dict(
        distill_losses=dict(
            loss_things=dict(
                type='ThingBalanceLoss',
                thing_classes=list(range(2, 12)),
                loss_weight=1.0,
                min_thing_fraction=0.3)),
        loss_forward_mappings=dict(
            loss_things=dict(
                preds_T=dict(from_student=False, recorder='teacher_logits')))))
