# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import List, Sequence, Tuple

import numpy as np
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor_dfad.registry import HOOKS


@HOOKS.register_module()
class LossWeightScheduleHook(Hook):
    """Set a distiller loss's weight from the iteration, piecewise linearly.

    Before every training iteration the ``loss_weight`` of
    ``<distiller>.distill_losses[loss_name]`` is interpolated linearly
    between the given ``(iteration, weight)`` points (constant before the
    first and after the last), counting iterations from 0. E.g. no adversary
    for the first 200 iterations, then ramped to full strength by 400 (the
    curriculum of CuDFKD)::

        custom_hooks = [dict(
            type='LossWeightScheduleHook',
            distiller='generator_distiller', loss_name='loss_adv',
            points=[(0, 0.0), (200, 0.0), (400, -1.0)])]

    The weight depends on the iteration only, so resumed runs get the same
    weights as uninterrupted ones. The current weight is logged as
    ``<distiller>.<loss_name>.weight``.

    Args:
        loss_name (str): Key in the distiller's ``distill_losses``.
        points (Sequence[tuple[int, float]]): ``(iteration, weight)``, with
            strictly increasing iterations.
        distiller (str): ``'generator_distiller'`` or ``'distiller'``.
            Defaults to ``'generator_distiller'``.
    """

    priority = 'HIGH'

    def __init__(self,
                 loss_name: str,
                 points: Sequence[Tuple[int, float]],
                 distiller: str = 'generator_distiller') -> None:
        points = [(int(it), float(w)) for it, w in points]
        if not points:
            raise ValueError('LossWeightScheduleHook: points is empty; give '
                             '(iteration, weight) pairs.')
        iterations = [it for it, _ in points]
        if any(b <= a for a, b in zip(iterations, iterations[1:])):
            raise ValueError(
                'LossWeightScheduleHook: the iterations of points must '
                f'increase strictly, got {iterations}.')
        self.loss_name = loss_name
        self.points: List[Tuple[int, float]] = points
        self.distiller = distiller

    def weight_at(self, iteration: int) -> float:
        """The weight of iteration ``iteration`` (0-based)."""
        iterations, weights = zip(*self.points)
        return float(np.interp(iteration, iterations, weights))

    def _loss(self, runner):
        """The scheduled loss module; raises with the known names when
        the distiller has no such loss or it has no ``loss_weight``."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        distiller = getattr(model, self.distiller, None)
        losses = getattr(distiller, 'distill_losses', None)
        if losses is None or self.loss_name not in losses:
            known = sorted(losses) if losses is not None else []
            raise KeyError(
                f'LossWeightScheduleHook: model.{self.distiller} has no loss '
                f"'{self.loss_name}' (its losses: {known}).")
        loss = losses[self.loss_name]
        if not hasattr(loss, 'loss_weight'):
            raise TypeError(
                f"LossWeightScheduleHook: loss '{self.loss_name}' "
                f'({type(loss).__name__}) has no loss_weight to schedule.')
        return loss

    def before_train(self, runner) -> None:
        """Check the scheduled loss exists before any work."""
        self._loss(runner)  # fail before the first iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        """Set the loss weight of this iteration and log it."""
        weight = self.weight_at(runner.iter)
        self._loss(runner).loss_weight = weight
        runner.message_hub.update_scalar(
            f'train/{self.distiller}.{self.loss_name}.weight', weight)
