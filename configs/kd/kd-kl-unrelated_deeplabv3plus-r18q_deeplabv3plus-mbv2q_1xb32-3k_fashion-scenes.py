# KD-UNR, the bound of distillation on unrelated images: KD-ORI's pixel KL
# (kd-kl), compute-matched to DFAD, with the scene teacher's predictions on
# MNIST mosaic canvases (digits on black: nothing of a scene) instead of the
# real train canvases; their labels are never read. Validation and test are
# the scene canvases. Needs data/mnist_mosaic
# (tools/dataset_converters/prepare_mnist_mosaic.py).
_base_ = [
    './kd-kl_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32-3k_fashion-scenes.py'
]
train_dataloader = dict(
    dataset=dict(
        data_root='data/mnist_mosaic',
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train')))
