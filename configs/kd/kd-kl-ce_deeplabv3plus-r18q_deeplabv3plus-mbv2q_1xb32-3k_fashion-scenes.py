# KD-ORI with the label loss: the pixel-KL KD-ORI config plus the student's
# own cross-entropy on the real labels.
_base_ = [
    './kd-kl_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32-3k_fashion-scenes.py'
]
model = dict(calculate_student_loss=True)
