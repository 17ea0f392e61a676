# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .dafl_data_free_distillation import DAFLDataFreeDistillation
from .data_free_distillation import DataFreeDistillation
from .eval_teacher_distill import EvalTeacherDistill

__all__ = [
    'DataFreeDistillation', 'DAFLDataFreeDistillation', 'EvalTeacherDistill'
]
