# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .label_free import use_label_free_test
from .label_free_selection import (SIGNAL_RULES, read_validations, select,
                                   spearman, summarize_run)
from .metrics import (ClassIoUMetric, SegTeacherStudentMetric,
                      TeacherStudentMetric, class_histogram_entropy,
                      teacher_student_statistics)

__all__ = [
    'ClassIoUMetric', 'SIGNAL_RULES', 'SegTeacherStudentMetric',
    'TeacherStudentMetric', 'class_histogram_entropy', 'read_validations',
    'select', 'spearman', 'summarize_run', 'teacher_student_statistics',
    'use_label_free_test'
]
