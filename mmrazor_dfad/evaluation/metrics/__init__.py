# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .teacher_student_metric import (TeacherStudentMetric,
                                     class_histogram_entropy,
                                     teacher_student_statistics)

__all__ = [
    'TeacherStudentMetric', 'class_histogram_entropy',
    'teacher_student_statistics'
]
