# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .distill import distill_and_report
from .export import export_student
from .test import main as test_main
from .train import build_config
from .train import main as train_main
from .train import prepare_run

__all__ = [
    'distill_and_report', 'export_student', 'test_main', 'train_main',
    'build_config', 'prepare_run'
]
