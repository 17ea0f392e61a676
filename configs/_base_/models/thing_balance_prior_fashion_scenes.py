# A class-balance prior over the scene benchmark's 10 garment ("thing")
# logits, for the generator's objective of a DFAD config on Fashion-MNIST
# scenes: the batch-mean teacher distribution over the garments is pushed
# toward uniform and garments toward at least 30% of the pixels; sky and
# ground stay out of the balance. A config sets `model = _base_.
# thing_prior_model` (its generator distiller records the teacher's
# per-pixel logits as `teacher_logits`).
thing_prior_model = dict(
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
