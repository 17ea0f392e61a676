# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import torch
import torch.nn.functional as F
from mmrazor.models.losses import KLDivergence

from mmrazor_dfad.registry import MODELS


@MODELS.register_module()
class LogSpaceKLDivergence(KLDivergence):
    """MMRazor's ``KLDivergence`` computed from log-probabilities, so that
    its gradient with respect to the teacher stays finite.

    The value is MMRazor's, ``loss_weight * tau**2 * KL(softmax(t / tau) ||
    softmax(s / tau))`` with the same arguments and reductions (up to
    floating-point rounding); only the way it is computed differs.
    MMRazor's loss hands ``F.kl_div`` the teacher's softmax. When one of the
    teacher's logits lies more than about 104 below its largest (float32;
    about 745 in float64), that probability underflows to exactly 0 and
    the gradient of ``F.kl_div`` with respect to it is ``log(0)``: NaN
    for the whole row. A generator that maximises the divergence through an
    undetached teacher (``teacher_detach=False``, ZSKT's generator loss)
    then receives a NaN gradient from a single image, and one optimizer
    step turns all its weights into NaN, while the loss itself is still
    finite. Here the teacher enters as ``log_softmax`` (``log_target=True``):
    such a probability contributes 0 to the value and to every gradient.

    With ``teacher_detach=True`` (a student's loss) both losses have the
    same, finite gradients; the difference matters for the generator's.

    Args:
        tau (float): Temperature. Defaults to 1.0.
        reduction (str): ``'none'`` | ``'batchmean'`` | ``'sum'`` |
            ``'mean'``, as ``F.kl_div``. Defaults to ``'batchmean'``.
        loss_weight (float): Weight (negative for a generator that
            maximises the divergence). Defaults to 1.0.
        teacher_detach (bool): Detach the teacher's logits. Defaults to
            True.
    """

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Args:
            preds_S (torch.Tensor): Student logits, shape ``(N, C)`` or
                ``(N, C, H, W)``.
            preds_T (torch.Tensor): Teacher logits, the same shape.

        Returns:
            torch.Tensor: The weighted loss (a scalar unless ``reduction``
            is ``'none'``).
        """
        if self.teacher_detach:
            preds_T = preds_T.detach()
        log_probs_T = F.log_softmax(preds_T / self.tau, dim=1)
        log_probs_S = F.log_softmax(preds_S / self.tau, dim=1)
        loss = (self.tau**2) * F.kl_div(
            log_probs_S,
            log_probs_T,
            reduction=self.reduction,
            log_target=True)
        return self.loss_weight * loss
