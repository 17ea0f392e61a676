# DFAD for segmentation without training data: DeepLabV3 / quarter-width
# ResNet-18 teacher -> FCN / quarter-width MobileNetV2 student on the MNIST
# mosaic benchmark (64x64 canvases, 11 classes); 32 generated images per
# step (the paper's CamVid setting takes 64; docs/segmentation.md: why
# 32). The real canvases only measure the student (mIoU, aAcc) and the
# teacher: the validation canvases (made of training-source digits) at each
# validation, the test canvases in tools/test.py; the generated bank gives
# the label-free metrics.
_base_ = [
    '../_base_/models/deeplabv3_r18-quarter-d8_mosaic.py',
    '../_base_/models/fcn_mobilenetv2-quarter-d8_mosaic.py',
    '../_base_/datasets/mnist_mosaic.py',
    '../_base_/schedules/dfad_segmentation_64px.py',
]
teacher_logits_recorder = dict(
    teacher_logits=dict(
        type='ModuleOutputs', source='deeplabv3.decode_head.conv_seg'))
model = dict(
    architecture=_base_.fcn_mobilenetv2_quarter,
    teachers=dict(
        deeplabv3=dict(
            build_cfg=_base_.deeplabv3_r18_quarter,
            ckpt_path='checkpoints/deeplabv3_r18-quarter_mnist-mosaic.pth')),
    # Generated images stay in the pixel range of real canvases.
    generator=dict(
        pixel_normalization=dict(
            mean=_base_.data_preprocessor.mean,
            std=_base_.data_preprocessor.std)),
    distiller=dict(teacher_recorders=teacher_logits_recorder),
    generator_distiller=dict(teacher_recorders=teacher_logits_recorder))

train_dataloader = _base_.data_free_train_dataloader
val_evaluator = _base_.seg_evaluators
test_evaluator = val_evaluator
val_cfg = dict(label_free=dict(evaluator=dict(num_classes=11)))
test_cfg = val_cfg
custom_hooks = [
    dict(_base_.samples_hook, palette=_base_.mosaic_metainfo.palette)
]
