# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from mmengine.config import Config


def use_label_free_test(cfg: Config,
                        num_images: int = 1024,
                        seed: int = 0,
                        batch_size: int = 256) -> Config:
    """Make a DFAD config test on a generated bank instead of real data.

    For ``tools/test.py --label-free``: the checkpoint's student and
    teacher are compared on the generator's images at fixed latents (see
    :class:`GeneratedBankDataset`), so no dataset needs to be present.

    Args:
        cfg (Config): A ``DataFreeDistillation`` config, changed in place.
        num_images (int): Size of the bank. Defaults to 1024.
        seed (int): Seed of the bank's latents. Defaults to 0 (the bank the
            shipped configs validate on).
        batch_size (int): Images per forward pass. Defaults to 256.

    Returns:
        Config: ``cfg``, whose test data, metrics and loop are the bank's,
        logged as ``label_free/*``.
    """
    cfg.test_dataloader = dict(
        batch_size=batch_size,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='GeneratedBankDataset', num_images=num_images, seed=seed),
        collate_fn=dict(type='pseudo_collate'))
    cfg.test_evaluator = [
        dict(type='TeacherStudentMetric', prefix='label_free')
    ]
    cfg.test_cfg = dict(type='DataFreeTestLoop')
    return cfg
