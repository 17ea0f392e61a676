# RANDOM, the floor of data-free distillation on the scene benchmark: the
# plain DFAD config with a generator that never learns (learning rate 0: its
# updates are skipped), so the student distils the teacher on the images of
# an untrained generator.
_base_ = [
    './dfad_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32_fashion-scenes.py'
]
optim_wrapper = dict(generator=dict(optimizer=dict(lr=0.0)))
