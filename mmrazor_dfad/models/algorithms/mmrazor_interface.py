# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, List, Mapping, Optional, Tuple, Union

import torch
from mmengine.optim import OptimWrapper

from mmrazor_dfad.registry import OPTIM_WRAPPERS

TrainBatch = Union[Dict[str, List], Dict[str, torch.Tensor]]
LogVars = Dict[str, torch.Tensor]
# The loss to minimise and the values to log (undetached, unprefixed).
LossAndLogs = Tuple[torch.Tensor, LogVars]


def alternating_schedule(optim_wrapper):
    """The runner's ``AlternatingOptimWrapper``, which runs the schedule.

    ``tools/train.py`` always builds one (it replaces MMRazor's
    ``SeparateOptimWrapperConstructor`` by ours). A plain
    ``OptimWrapperDict`` of the same two wrappers (MMRazor's constructor
    under another runner) or a single wrapper dict is adopted through the
    registry, so that the models do not import the engine.

    Args:
        optim_wrapper: An ``AlternatingOptimWrapper``, an
            ``OptimWrapperDict`` or a mapping with the keys ``architecture``
            and ``generator``.

    Returns:
        AlternatingOptimWrapper: The schedule.
    """
    if hasattr(optim_wrapper, 'alternate'):
        return optim_wrapper
    return OPTIM_WRAPPERS.get('AlternatingOptimWrapper').from_optim_wrappers(
        optim_wrapper)


def infer_batch_size(data: TrainBatch) -> int:
    """Number of samples in a training batch, without touching them.

    Args:
        data (dict): A collated batch: from :class:`DataFreeDataset`
            (``{'sample_idx': [...]}``) or any MMEngine dataset
            (``{'inputs': [...], 'data_samples': [...]}``).

    Returns:
        int: The batch size: how many images to generate per step.
    """
    if isinstance(data, Mapping):
        for key in ('inputs', 'sample_idx', *data.keys()):
            value = data.get(key)
            if isinstance(value,
                          (list, tuple, torch.Tensor)) and len(value) > 0:
                return len(value)
    raise TypeError(
        'DataFreeDistillation: cannot tell the batch size from the training '
        f'batch {type(data).__name__}; use train_dataloader=dict(batch_size='
        "N, dataset=dict(type='DataFreeDataset')).")


def _one_side(optimizer: OptimWrapper):
    """A schedule of which only one side runs; the other side's slot needs
    some wrapper and is never used."""
    return alternating_schedule(
        dict(architecture=optimizer, generator=optimizer))


class MMRazorInterfaceMixin:
    """The methods of MMRazor 1.0.0's ``DataFreeDistillation`` beyond
    ``train_step``, for code that calls them directly. The class using it
    implements :class:`DataFreeIteration`."""

    def train_student(self, data: TrainBatch,
                      optimizer: OptimWrapper) -> Tuple[torch.Tensor, LogVars]:
        """The student updates of one iteration, alone (``train_step`` runs
        them with the generator's).

        Args:
            data (dict): The training batch; only its length is used.
            optimizer (OptimWrapper): The student's optimizer wrapper.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The student's loss
            and the values to log, prefixed ``distill.``, both averaged over
            the ``student_iter`` updates and detached.
        """
        log_vars = _one_side(optimizer).train_student(self,
                                                      infer_batch_size(data))
        return log_vars['distill.loss'], log_vars

    def train_generator(
            self, data: TrainBatch,
            optimizer: OptimWrapper) -> Tuple[torch.Tensor, LogVars]:
        """One generator update, alone (``train_step`` runs it with the
        student's). Unlike in ``train_step``, it runs even at learning
        rate 0.

        Args:
            data (dict): The training batch; only its length is used.
            optimizer (OptimWrapper): The generator's optimizer wrapper.

        Returns:
            tuple[torch.Tensor, dict[str, torch.Tensor]]: The generator's
            loss and the values to log, prefixed ``generator.``, detached.
        """
        log_vars = _one_side(optimizer).train_generator(
            self, infer_batch_size(data), allow_skip=False)
        return log_vars['generator.loss'], log_vars

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """Not used: data-free distillation has no supervised loss;
        training goes through ``train_step``."""
        raise NotImplementedError(
            f'{type(self).__name__} has no supervised loss; train it through '
            'train_step (the runner does), or call the student directly.')
