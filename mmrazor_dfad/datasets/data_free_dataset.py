# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional, Sequence

from torch.utils.data import Dataset

from mmrazor_dfad.registry import DATASETS


@DATASETS.register_module()
class DataFreeDataset(Dataset):
    """The training "dataset" of data-free distillation: no data at all.

    DFAD's student never sees real images; the generator makes them. The
    runner still wants a training dataloader, and its ``batch_size`` is the
    natural place for users to set how many images are generated per step.
    This dataset yields only sample indices, so each collated batch is
    ``{'sample_idx': [i, ...]}`` of length ``batch_size``: nothing is read
    from disk and nothing is copied to the device.

    Args:
        length (int): Samples per "epoch". Only matters for epoch-based loops
            and samplers that count epochs. Defaults to 10,000: samplers such
            as MMEngine's ``InfiniteSampler`` hold a Python list of
            ``length`` indices, about 36 MB for 1,000,000.
        classes (Sequence[str], optional): Class names of the teacher, stored
            as ``metainfo['classes']`` (saved in checkpoints as dataset meta).
    """

    def __init__(self,
                 length: int = 10_000,
                 classes: Optional[Sequence[str]] = None) -> None:
        if not isinstance(length, int) or length < 1:
            raise ValueError(
                f'DataFreeDataset: length must be a positive integer, got '
                f'{length!r}.')
        self.length = length
        self.metainfo: Dict = dict(
            classes=tuple(classes) if classes is not None else None)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> Dict[str, int]:
        return dict(sample_idx=index)
