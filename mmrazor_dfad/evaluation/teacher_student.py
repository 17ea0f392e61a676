# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Iterable

import torch
import torch.nn as nn


@torch.no_grad()
def evaluate_teacher_student(algorithm: nn.Module,
                             dataloader: Iterable) -> Dict[str, float]:
    """Top-1 of teacher and student on real data, and how often they agree.

    Args:
        algorithm (nn.Module): A (unwrapped) ``DataFreeDistillation`` with
            one teacher.
        dataloader (Iterable): Batches of the real test set.

    Returns:
        dict: ``teacher_top1``, ``student_top1``, ``agreement`` (percent of
        images where both predict the same class) and ``num_images``.
    """
    if len(algorithm.teachers) != 1:
        raise ValueError('evaluate_teacher_student expects one teacher, got '
                         f'{list(algorithm.teachers)}.')
    teacher = next(iter(algorithm.teachers.values()))
    was_training = algorithm.training
    algorithm.eval()
    correct_teacher = correct_student = agree = total = 0
    try:
        for batch in dataloader:
            data = algorithm.data_preprocessor(batch, False)
            images = data['inputs']
            labels = torch.cat([
                sample.gt_label.label for sample in data['data_samples']
            ]).to(images.device)
            teacher_pred = teacher(images, mode='tensor').argmax(dim=1)
            student_pred = algorithm.student(images, mode='tensor').argmax(1)
            correct_teacher += (teacher_pred == labels).sum().item()
            correct_student += (student_pred == labels).sum().item()
            agree += (teacher_pred == student_pred).sum().item()
            total += labels.numel()
    finally:
        algorithm.train(was_training)
    return dict(
        teacher_top1=100.0 * correct_teacher / total,
        student_top1=100.0 * correct_student / total,
        agreement=100.0 * agree / total,
        num_images=total)
