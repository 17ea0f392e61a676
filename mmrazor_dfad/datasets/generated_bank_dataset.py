# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict

from torch.utils.data import Dataset

from mmrazor_dfad.registry import DATASETS


@DATASETS.register_module()
class GeneratedBankDataset(Dataset):
    """A fixed bank of generated images, for evaluation without real data.

    Item ``i`` names the latent vector the generator turns into image ``i``:
    ``DataFreeDistillation.val_step`` draws it from a random generator seeded
    with ``(seed, i)`` alone, so the bank is the same at every validation, in
    every process and however a sampler shards it, and training (which draws
    its noise from the generator's own random stream) never sees these
    latents. Nothing is read from disk. The images follow the generator as it
    learns; once its learning rate is 0 they are fixed.

    Two variants probe the student off the generator's distribution, where
    it is not trained directly: ``latent_scale`` multiplies the latents
    (more extreme images), ``mix`` averages each image with the image of a
    second fixed latent (pixel-space midpoints of two generated images).

    Args:
        num_images (int): Size of the bank. Defaults to 1024.
        seed (int): Seed of the bank's latents. Defaults to 0.
        latent_scale (float): Factor on the latents. Defaults to 1.0.
        mix (bool): Average pairs of generated images. Defaults to False.
    """

    def __init__(self,
                 num_images: int = 1024,
                 seed: int = 0,
                 latent_scale: float = 1.0,
                 mix: bool = False) -> None:
        if not isinstance(num_images, int) or num_images < 1:
            raise ValueError('GeneratedBankDataset: num_images must be a '
                             f'positive integer, got {num_images!r}.')
        if not isinstance(seed, int) or seed < 0:
            raise ValueError('GeneratedBankDataset: seed must be an integer '
                             f'>= 0, got {seed!r}.')
        self.num_images = num_images
        self.seed = seed
        self.latent_scale = float(latent_scale)
        self.mix = bool(mix)
        # Read by the evaluator (dataset_meta) and saved in checkpoints.
        self.metainfo: Dict = dict(
            classes=None,
            bank_size=num_images,
            bank_seed=seed,
            bank_latent_scale=self.latent_scale,
            bank_mix=self.mix)

    def __len__(self) -> int:
        return self.num_images

    def __getitem__(self, index: int) -> Dict[str, int]:
        if not 0 <= index < self.num_images:
            raise IndexError(f'GeneratedBankDataset: index {index} out of '
                             f'range for a bank of {self.num_images}.')
        return dict(
            bank_index=index,
            bank_seed=self.seed,
            bank_latent_scale=self.latent_scale,
            bank_mix=self.mix)
