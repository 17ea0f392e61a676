# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .teacher_student import evaluate_teacher_student

__all__ = ['evaluate_teacher_student']
