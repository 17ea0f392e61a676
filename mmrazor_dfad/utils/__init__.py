# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .checkpoint import (checkpoint_file_problem, checkpoint_safe_globals,
                         find_best_checkpoint, load_checkpoint_strictly,
                         load_teacher_weights)
from .dist import DEFAULT_CPU_TIMEOUT, init_cpu_distributed
from .errors import InvalidArgumentError
from .run_setup import (choose_resume_checkpoint,
                        use_alternating_optim_wrapper,
                        use_cpu_capable_model_wrapper,
                        use_safe_checkpoint_hook)
from .setup_env import register_all_modules
from .work_dir import (ResumeSearch, WorkDirInUseError, WorkDirLock,
                       ensure_writable_dir, find_resumable_checkpoint,
                       resolve_work_dir, search_resumable_checkpoint)

__all__ = [
    'register_all_modules', 'checkpoint_safe_globals', 'load_teacher_weights',
    'find_best_checkpoint', 'checkpoint_file_problem', 'init_cpu_distributed',
    'ensure_writable_dir', 'find_resumable_checkpoint',
    'search_resumable_checkpoint', 'ResumeSearch', 'resolve_work_dir',
    'WorkDirLock', 'WorkDirInUseError', 'load_checkpoint_strictly',
    'DEFAULT_CPU_TIMEOUT', 'choose_resume_checkpoint',
    'use_safe_checkpoint_hook', 'use_cpu_capable_model_wrapper',
    'use_alternating_optim_wrapper', 'InvalidArgumentError'
]
