# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict

import torch
from mmengine.runner.checkpoint import get_state_dict


class TeacherFreeStateMixin:
    """Checkpoint rules of an algorithm with frozen ``teachers``: its state
    dict holds what training changes (student, generator, pool), never the
    teachers.

    - The teachers' weights come from one place,
      ``teachers[name]['ckpt_path']``, whether training starts, resumes or a
      checkpoint is tested; checkpoints carry no second copy that could go
      stale. Loading fills in the teachers' own weights (entries of older
      checkpoints that carried teacher weights are overridden).
    - Distributed training wraps the student and the generator separately;
      PyTorch would save ``architecture.module.*`` while MMEngine loads
      ``architecture.*``. MMEngine's ``get_state_dict`` gives the unwrapped
      names, so one checkpoint loads the same wrapped or not.

    Call :meth:`_keep_own_teacher_weights` once in ``__init__``.
    """

    TEACHERS_PREFIX = 'teachers.'

    def state_dict(self,
                   *args,
                   destination=None,
                   prefix: str = '',
                   keep_vars: bool = False) -> Dict[str, torch.Tensor]:
        """State dict of student and generator (unwrapped names), without
        the teachers.

        Args:
            destination (dict, optional): Where to put the entries.
            prefix (str): Prefix of every key.
            keep_vars (bool): Keep tensors attached to autograd.

        Returns:
            dict[str, torch.Tensor]: The entries.
        """
        if args:
            raise TypeError('state_dict() takes keyword arguments only')
        state = get_state_dict(self, destination, prefix, keep_vars)
        teacher_prefix = f'{prefix}{self.TEACHERS_PREFIX}'
        for key in [k for k in state if k.startswith(teacher_prefix)]:
            del state[key]
        return state

    def _keep_own_teacher_weights(self) -> None:
        """Make every ``load_state_dict`` keep the teachers' weights."""
        self._register_load_state_dict_pre_hook(self._use_own_teacher_weights)

    def _use_own_teacher_weights(self, state_dict: Dict, prefix: str,
                                 *args) -> None:
        teacher_prefix = f'{prefix}{self.TEACHERS_PREFIX}'
        for key, value in self.teachers.state_dict().items():
            state_dict[f'{teacher_prefix}{key}'] = value
