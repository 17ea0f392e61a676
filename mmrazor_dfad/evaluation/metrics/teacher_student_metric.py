# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric

from mmrazor_dfad.registry import METRICS


def class_histogram_entropy(labels: torch.Tensor, num_classes: int) -> float:
    """Entropy of the histogram of predicted classes, normalised to [0, 1].

    Args:
        labels (torch.Tensor): Predicted classes, shape ``(N, )``.
        num_classes (int): Number of classes ``C`` (> 1).

    Returns:
        float: ``H(histogram) / log(C)``: 0 when every image gets one class,
        1 when the classes are equally frequent.
    """
    counts = torch.bincount(labels, minlength=num_classes).double()
    probs = counts[counts > 0] / counts.sum()
    # max(): 0, not -0.0, for a single class.
    entropy = -(probs * probs.log()).sum() / math.log(num_classes)
    return max(0.0, float(entropy))


def teacher_student_statistics(
        student_logits: torch.Tensor,
        teacher_logits: torch.Tensor,
        gt_labels: Optional[torch.Tensor] = None,
        confidence_threshold: float = 0.9) -> Dict[str, float]:
    """How a student compares with its teacher on a set of images.

    Every value depends on the images only through the two networks'
    outputs, so it can be computed on generated images without labels.

    Args:
        student_logits (torch.Tensor): Shape ``(N, C)``.
        teacher_logits (torch.Tensor): Shape ``(N, C)``.
        gt_labels (torch.Tensor, optional): Real labels, shape ``(N, )``;
            adds ``teacher_top1``.
        confidence_threshold (float): Teacher softmax probability above
            which an image counts as confidently classified.

    Returns:
        dict[str, float]:

        - ``agreement``: percent of images where both predict the same class.
        - ``balanced_agreement``: agreement averaged over the teacher's
          predicted classes (classes it never predicts are left out), percent.
        - ``confident_agreement``: agreement on the images the teacher
          classifies confidently (percent; 0 when there is none).
        - ``l1``: mean absolute logit difference (DFAD's training loss).
        - ``kl``: mean KL(teacher softmax || student softmax), nats.
        - ``teacher_class_entropy`` / ``student_class_entropy``: entropy of
          the histogram of predicted classes, normalised to [0, 1].
        - ``teacher_confidence``: mean teacher max-probability, percent.
        - ``teacher_top1``: teacher accuracy, percent (with ``gt_labels``).
    """
    if student_logits.shape != teacher_logits.shape or \
            student_logits.ndim != 2:
        raise ValueError(
            'teacher_student_statistics: student and teacher logits must both '
            f'be (N, C), got {tuple(student_logits.shape)} and '
            f'{tuple(teacher_logits.shape)}.')
    # float64: sums over the bank do not depend on batch or process split.
    student_logits = student_logits.double()
    teacher_logits = teacher_logits.double()
    num_classes = student_logits.shape[1]
    student_pred = student_logits.argmax(dim=1)
    teacher_pred = teacher_logits.argmax(dim=1)
    agree = (student_pred == teacher_pred).double()
    teacher_prob = teacher_logits.softmax(dim=1)
    confidence = teacher_prob.max(dim=1).values
    confident = confidence >= confidence_threshold
    per_class = [
        agree[teacher_pred == c].mean() for c in range(num_classes)
        if (teacher_pred == c).any()
    ]
    kl = F.kl_div(
        student_logits.log_softmax(dim=1),
        teacher_logits.log_softmax(dim=1),
        log_target=True,
        reduction='none').sum(dim=1)
    stats = dict(
        agreement=100.0 * float(agree.mean()),
        balanced_agreement=100.0 * float(torch.stack(per_class).mean()),
        confident_agreement=100.0 *
        float(agree[confident].mean()) if confident.any() else 0.0,
        l1=float((student_logits - teacher_logits).abs().mean()),
        kl=float(kl.mean()),
        teacher_class_entropy=class_histogram_entropy(teacher_pred,
                                                      num_classes),
        student_class_entropy=class_histogram_entropy(student_pred,
                                                      num_classes),
        teacher_confidence=100.0 * float(confidence.mean()))
    if gt_labels is not None:
        correct = teacher_pred == gt_labels.to(teacher_pred.device)
        stats['teacher_top1'] = 100.0 * float(correct.double().mean())
    return stats


@METRICS.register_module()
class TeacherStudentMetric(BaseMetric):
    """Teacher-student agreement, logit discrepancy and class spread.

    Reads the ``student_logits`` and ``teacher_logits`` that
    ``DataFreeDistillation.val_step`` / ``test_step`` put in every data
    sample, and ``gt_label`` when the images are real and labelled. On real
    data it adds the teacher's top-1 (the student's top-1/top-5 come from
    MMCls's ``Accuracy``); on a :class:`GeneratedBankDataset` it gives the
    label-free signals. See :func:`teacher_student_statistics` for the keys;
    they are logged as ``{prefix}/{key}``.

    Results of all processes are gathered before computing (the sampler's
    padding removed), so the values do not depend on the number of
    processes.

    Args:
        confidence_threshold (float): See
            :func:`teacher_student_statistics`. Defaults to 0.9.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str): Key prefix, e.g. ``'teacher_student'`` on real data,
            ``'label_free'`` on the generated bank. Defaults to
            ``'teacher_student'``.
    """

    default_prefix: Optional[str] = 'teacher_student'

    def __init__(self,
                 confidence_threshold: float = 0.9,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.confidence_threshold = confidence_threshold

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep each sample's logits (and label), on the CPU.

        Args:
            data_batch: The batch of the dataloader (unused).
            data_samples (Sequence): Outputs of ``val_step``: data samples
                (or dicts) with ``student_logits`` and ``teacher_logits`` of
                shape ``(C, )``.
        """
        for sample in data_samples:
            if not isinstance(sample, dict):
                sample = sample.to_dict()
            if 'student_logits' not in sample or \
                    'teacher_logits' not in sample:
                raise KeyError(
                    'TeacherStudentMetric needs student_logits and '
                    'teacher_logits in the data samples: validate a '
                    "DataFreeDistillation model (type='DataFreeValLoop').")
            result = dict(
                student_logits=sample['student_logits'].detach().cpu(),
                teacher_logits=sample['teacher_logits'].detach().cpu())
            gt_label = sample.get('gt_label')
            if gt_label is not None:
                label = gt_label['label'] if isinstance(gt_label,
                                                        dict) else gt_label
                result['gt_label'] = torch.as_tensor(label).reshape(-1)[:1]
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """The statistics over all gathered samples.

        Args:
            results (list[dict]): Outputs of :meth:`process` of every
                process, in dataset order.

        Returns:
            dict[str, float]: See :func:`teacher_student_statistics`.
        """
        student = torch.stack([r['student_logits'] for r in results])
        teacher = torch.stack([r['teacher_logits'] for r in results])
        labels = None
        if all('gt_label' in r for r in results):
            labels = torch.cat([r['gt_label'] for r in results])
        return teacher_student_statistics(student, teacher, labels,
                                          self.confidence_threshold)
