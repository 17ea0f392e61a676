# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The synthetic-image pool: bounds, sampling, augmentation, state."""
import copy

import pytest
import torch

from mmrazor_dfad.models import SyntheticImagePool
from mmrazor_dfad.testing import build, build_optim, data_free_batch


def numbered(count, start=0):
    """Images whose every pixel is their number: (count, 1, 4, 4)."""
    values = torch.arange(start, start + count, dtype=torch.float32)
    return values.view(-1, 1, 1, 1).expand(-1, 1, 4, 4).clone()


def test_pool_keeps_the_newest_images_up_to_capacity():
    pool = SyntheticImagePool(
        capacity=5, image_shape=(1, 4, 4), dtype='float32')
    assert len(pool) == 0 and pool.split(8) == 0
    pool.add(numbered(3))
    assert len(pool) == 3
    pool.add(numbered(4, start=3))  # 7 images into 5 slots
    assert len(pool) == 5
    held = sorted(pool.images[:, 0, 0, 0].tolist())
    assert held == [2.0, 3.0, 4.0, 5.0, 6.0]
    pool.add(numbered(12, start=100))  # more than capacity at once
    assert sorted(
        pool.images[:, 0, 0,
                    0].tolist()) == [107.0, 108.0, 109.0, 110.0, 111.0]


def test_pool_samples_only_what_it_holds_and_is_reproducible():
    pool = SyntheticImagePool(capacity=100, image_shape=(1, 4, 4), seed=3)
    pool.add(numbered(10))
    twin = copy.deepcopy(pool)
    drawn = pool.sample(1000)
    assert drawn.shape == (1000, 1, 4, 4) and drawn.dtype == torch.float32
    values = drawn[:, 0, 0, 0]
    assert set(values.tolist()) <= set(range(10))
    assert len(set(values.tolist())) == 10  # uniform over what is held
    assert torch.equal(twin.sample(1000), drawn)  # state decides the draw
    assert not torch.equal(pool.sample(1000), drawn)  # draws advance


def test_pool_split_and_bad_settings():
    pool = SyntheticImagePool(
        capacity=4, image_shape=(1, 4, 4), replay_fraction=0.5)
    pool.add(numbered(1))
    assert pool.split(10) == 5 and pool.split(1) == 0
    with pytest.raises(ValueError, match=r'replay_fraction .* \[0, 1\]'):
        SyntheticImagePool(
            capacity=4, image_shape=(1, 4, 4), replay_fraction=1.5)
    with pytest.raises(ValueError, match="set fill_from='generator'"):
        SyntheticImagePool(
            capacity=4, image_shape=(1, 4, 4), replay_fraction=1.0)
    with pytest.raises(ValueError, match='capacity must be a positive'):
        SyntheticImagePool(capacity=0, image_shape=(1, 4, 4))


def test_flip_and_crop_move_pixels_but_keep_shape():
    image = torch.zeros(1, 1, 6, 6)
    image[0, 0, 2, 0] = 1.0  # one bright pixel on the left edge
    pool = SyntheticImagePool(
        capacity=1, image_shape=(1, 6, 6), flip=True, dtype='float32', seed=1)
    pool.add(image)
    flipped = pool.sample(200)
    columns = flipped[:, 0, 2].argmax(dim=1)
    assert set(columns.tolist()) == {0, 5}
    pool = SyntheticImagePool(
        capacity=1,
        image_shape=(1, 6, 6),
        crop_padding=2,
        dtype='float32',
        seed=1)
    pool.add(image)
    shifted = pool.sample(200)
    assert shifted.shape == (200, 1, 6, 6)
    # Every crop is a translation by at most 2 pixels: the pixel either
    # moves by (dy, dx) in [-2, 2] or leaves the window.
    kept = shifted.flatten(1).sum(dim=1)
    assert set(kept.tolist()) <= {0.0, 1.0}
    rows = shifted[kept == 1][:, 0].flatten(1).argmax(dim=1) // 6
    assert set(rows.tolist()) <= {0, 1, 2, 3, 4}
    assert len(set(rows.tolist())) > 1


def test_student_updates_replay_the_pool_and_it_is_checkpointed(
        toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg['pool'] = dict(
        type='SyntheticImagePool', capacity=20, replay_fraction=0.25)
    algorithm = build(cfg).train()
    assert algorithm.pool.images.shape == (20, 3, 8, 8)
    optim = build_optim(algorithm)
    algorithm.train_step(data_free_batch(8), optim)
    # First update: 8 fresh; then 6 fresh + 2 replayed, twice (student_iter
    # 3): 20 images were generated for the student.
    assert len(algorithm.pool) == 20
    assert int(algorithm.pool.draws) == 2
    state = algorithm.state_dict()
    assert torch.equal(state['pool.images'], algorithm.pool.images)
    restored = build(cfg)
    restored.load_state_dict(state)
    assert torch.equal(
        restored.pool.sample(50),
        copy.deepcopy(algorithm.pool).sample(50))


def test_mixup_blends_pairs_of_replayed_images():
    pool = SyntheticImagePool(
        capacity=2,
        image_shape=(1, 4, 4),
        mixup_alpha=1.0,
        dtype='float32',
        seed=2)
    pool.add(torch.cat([torch.zeros(1, 1, 4, 4), torch.ones(1, 1, 4, 4)]))
    mixed = pool.sample(400)
    values = mixed[:, 0, 0, 0]
    assert torch.all((values >= 0) & (values <= 1))
    # Uniform mixing weights (alpha 1): many strictly inside (0, 1).
    assert ((values > 0.05) & (values < 0.95)).float().mean() > 0.3
    assert torch.all(mixed == mixed[:, :, :1, :1])  # same weight per image


def test_pool_filled_by_the_generator_feeds_whole_student_batches(
        toy_algorithm_cfg):
    cfg = copy.deepcopy(toy_algorithm_cfg)
    cfg.update(
        student_train_first=False,
        pool=dict(
            type='SyntheticImagePool',
            capacity=64,
            replay_fraction=1.0,
            fill_from='generator'))
    algorithm = build(cfg).train()
    calls = []
    original = algorithm.generator.forward
    algorithm.generator.forward = lambda *a, **k: calls.append(k) or \
        original(*a, **k)
    algorithm.train_step(data_free_batch(8), build_optim(algorithm))
    # One generator update (8 images stored), then 3 student updates on
    # replayed images only: the generator ran once.
    assert len(calls) == 1
    assert len(algorithm.pool) == 8 and int(algorithm.pool.draws) == 3


def test_the_sampling_seed_follows_the_run_and_is_saved():

    def pool_after_seed(run_seed, **kwargs):
        torch.manual_seed(run_seed)
        pool = SyntheticImagePool(
            capacity=64, image_shape=(1, 2, 2), replay_fraction=0.5, **kwargs)
        pool.add(torch.arange(64.).view(64, 1, 1, 1).expand(64, 1, 2, 2))
        return pool

    first, again, other = (pool_after_seed(1), pool_after_seed(1),
                           pool_after_seed(2))
    assert torch.equal(first.sample(8), again.sample(8))
    assert not torch.equal(first.sample(8), other.sample(8))
    assert pool_after_seed(2, seed=1).seed == 1
    # A resumed run keeps the saved seed, whatever its own.
    resumed = pool_after_seed(5)
    resumed.load_state_dict(first.state_dict())
    assert resumed.seed == first.seed
    assert torch.equal(resumed.sample(8), first.sample(8))
