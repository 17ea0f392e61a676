# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Data transforms of the real evaluation sets."""
from typing import Dict

from mmcv.transforms import BaseTransform

from mmrazor_dfad.registry import TRANSFORMS


@TRANSFORMS.register_module()
class EvaluateAtCurrentShape(BaseTransform):
    """Make the image's current shape its original one (``ori_shape =
    img_shape``), so a segmentor's predictions are compared with the labels
    at this size instead of being resized back to the file's.

    MMSeg's segmentors resize their logits to ``ori_shape`` before the
    metric reads them. Placed after a resize that also resized the labels
    (``LoadAnnotations`` before ``Resize``), this evaluates at the resized
    size, as the DFAD paper evaluates CamVid (images and labels resized to
    a 256-px shorter side).

    Required keys: ``img_shape``. Modified keys: ``ori_shape``.
    """

    def transform(self, results: Dict) -> Dict:
        """Set ``results['ori_shape']`` to ``results['img_shape']``.

        Args:
            results (dict): A pipeline's results, with ``img_shape``
                ``(H, W)``.

        Returns:
            dict: ``results``, with ``ori_shape`` ``(H, W)``.
        """
        results['ori_shape'] = tuple(results['img_shape'][:2])
        return results
