# KD-ORI, the data-driven bound of DFAD on the scene benchmark: KD from the
# scene teacher on the real train canvases, compute-matched to the DFAD
# config (the same student, 3,000 updates of 32 canvases, the DFAD
# student's optimizer), the teacher wholly in eval mode (EvalTeacherDistill).
# The loss: the per-pixel KL divergence of the class distributions
# (temperature 1), averaged over pixels (MMRazor's KLDivergence with
# reduction 'mean' averages over classes too, hence the weight of 12
# classes), no label loss. Validation and test also score the student
# against the teacher's masks (predict_teacher, SegTeacherStudentMetric).
_base_ = [
    '../_base_/models/deeplabv3plus_mobilenetv2-quarter-d8_scenes.py',
    '../_base_/datasets/fashion_scenes.py',
    '../_base_/schedules/sgd_cosine_3k_scenes.py',
    '../_base_/default_runtime.py',
]
pixel_logits = dict(type='ModuleOutputs', source='decode_head.conv_seg')
model = dict(
    _scope_='mmrazor_dfad',
    type='EvalTeacherDistill',
    data_preprocessor=_base_.data_preprocessor,
    architecture=_base_.deeplabv3plus_mobilenetv2_quarter,
    teacher=_base_.deeplabv3plus_r18_quarter,
    teacher_ckpt=_base_.scenes_teacher_checkpoint,
    calculate_student_loss=False,
    predict_teacher=True,
    distiller=dict(
        type='ConfigurableDistiller',
        distill_losses=dict(
            loss_kl=dict(
                type='mmrazor.KLDivergence',
                tau=1.0,
                reduction='mean',
                loss_weight=12.0)),
        loss_forward_mappings=dict(
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits'))),
        student_recorders=dict(logits=pixel_logits),
        teacher_recorders=dict(logits=pixel_logits)))
train_dataloader = dict(batch_size=32)
val_evaluator = [_base_.val_evaluator, dict(type='SegTeacherStudentMetric')]
test_evaluator = val_evaluator
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=500, max_keep_ckpts=1))
