# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .checkpoint import checkpoint_safe_globals, load_teacher_weights
from .dist import init_cpu_distributed
from .setup_env import register_all_modules
from .work_dir import (ensure_writable_dir, find_resumable_checkpoint,
                       resolve_work_dir)

__all__ = [
    'register_all_modules', 'checkpoint_safe_globals', 'load_teacher_weights',
    'init_cpu_distributed', 'ensure_writable_dir',
    'find_resumable_checkpoint', 'resolve_work_dir'
]
