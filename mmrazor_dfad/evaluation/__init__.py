# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .label_free import use_label_free_test
from .metrics import (TeacherStudentMetric, class_histogram_entropy,
                      teacher_student_statistics)

__all__ = [
    'TeacherStudentMetric', 'class_histogram_entropy',
    'teacher_student_statistics', 'use_label_free_test'
]
