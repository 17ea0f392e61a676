# DFAD on logits: the student minimises, the generator maximises, the L1
# distance between the student's and the teacher's logits (``head.fc``
# outputs). Configs add ``architecture``, ``teachers``, ``generator``,
# ``data_preprocessor`` (it normalises the real validation images) and, in
# both distillers, the ``teacher_fc`` recorder of their teacher's logits:
# ``teacher_recorders=dict(teacher_fc=dict(type='ModuleOutputs',
# source='<teacher name>.head.fc'))``.
logits_mapping = dict(
    s_feature=dict(from_student=True, recorder='fc'),
    t_feature=dict(from_student=False, recorder='teacher_fc'))
student_logits_recorder = dict(fc=dict(type='ModuleOutputs', source='head.fc'))

model = dict(
    type='DataFreeDistillation',
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=student_logits_recorder,
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=1.0)),
        loss_forward_mappings=dict(loss_l1=logits_mapping)),
    generator_distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=student_logits_recorder,
        distill_losses=dict(loss_l1=dict(type='L1Loss', loss_weight=-1.0)),
        loss_forward_mappings=dict(loss_l1=logits_mapping)),
    student_iter=5,
    student_train_first=True)

# DDP wraps the student and the generator separately, never the frozen
# teachers, and works on CPU (gloo) as well as GPU (nccl).
model_wrapper_cfg = dict(
    type='mmrazor_dfad.DataFreeDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)
