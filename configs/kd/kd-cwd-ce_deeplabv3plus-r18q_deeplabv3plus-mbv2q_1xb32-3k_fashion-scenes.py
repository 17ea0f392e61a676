# KD-ORI with channel-wise distillation and the student's own cross-entropy
# on the real labels.
_base_ = [
    './kd-cwd_deeplabv3plus-r18q_deeplabv3plus-mbv2q_1xb32-3k_'
    'fashion-scenes.py'
]
model = dict(calculate_student_loss=True)
