# Ablation: the mosaic DFAD config with a total-variation prior on the
# generated images in the generator's objective (weight 1, as in the
# classification recipe).
_base_ = ['../dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py']
model = dict(
    generator_distiller=dict(
        teacher_recorders=dict(
            teacher_input=dict(type='ModuleInputs', source='deeplabv3')),
        distill_losses=dict(
            loss_tv=dict(type='TotalVariationLoss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_tv=dict(
                images=dict(
                    from_student=False, recorder='teacher_input',
                    data_idx=0)))))
