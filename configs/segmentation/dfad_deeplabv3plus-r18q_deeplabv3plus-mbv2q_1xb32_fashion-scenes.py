# DFAD for segmentation without training data on the Fashion-MNIST scene
# benchmark (64x64 canvases: sky, textured ground and 1-4 garments; 12
# classes): DeepLabV3+ / quarter-width ResNet-18 teacher -> DeepLabV3+ /
# quarter-width MobileNetV2 student, 32 generated images per step, the
# paper's losses (pixel L1 for the student, log(1 + L1) for the generator)
# with a generator trained throughout. The real canvases only measure: the
# validation canvases (garments held out from the training ones) at each
# validation, the test canvases once, at the end (tools/test.py or a
# benchmark's final test).
_base_ = [
    '../_base_/models/deeplabv3plus_mobilenetv2-quarter-d8_scenes.py',
    '../_base_/datasets/fashion_scenes.py',
    '../_base_/schedules/dfad_segmentation_64px.py',
]
teacher_logits_recorder = dict(
    teacher_logits=dict(
        type='ModuleOutputs', source='deeplabv3plus.decode_head.conv_seg'))
model = dict(
    architecture=_base_.deeplabv3plus_mobilenetv2_quarter,
    teachers=dict(
        deeplabv3plus=dict(
            build_cfg=_base_.deeplabv3plus_r18_quarter,
            ckpt_path=_base_.scenes_teacher_checkpoint)),
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder),
    # Generated images stay in the pixel range of real canvases.
    generator=dict(
        pixel_normalization=dict(
            mean=_base_.data_preprocessor.mean,
            std=_base_.data_preprocessor.std)))

train_dataloader = _base_.data_free_train_dataloader
val_evaluator = [_base_.val_evaluator, dict(type='SegTeacherStudentMetric')]
test_evaluator = val_evaluator
val_cfg = dict(label_free=dict(evaluator=dict(num_classes=12)))
test_cfg = val_cfg
custom_hooks = [
    dict(_base_.samples_hook, palette=_base_.scenes_metainfo.palette)
]
