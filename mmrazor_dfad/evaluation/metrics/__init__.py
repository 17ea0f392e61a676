# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .class_iou_metric import ClassIoUMetric
from .seg_teacher_student_metric import SegTeacherStudentMetric
from .teacher_student_metric import (TeacherStudentMetric,
                                     class_histogram_entropy,
                                     teacher_student_statistics)

__all__ = [
    'ClassIoUMetric', 'SegTeacherStudentMetric', 'TeacherStudentMetric',
    'class_histogram_entropy', 'teacher_student_statistics'
]
