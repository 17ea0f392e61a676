# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""RandomColorShuffle: what it does to pixels, that gradients pass, that
its draws are private and resumable, and the pool option that applies it
to replayed images."""
import pytest
import torch

from mmrazor_dfad.models import RandomColorShuffle, SyntheticImagePool

MEAN, STD = (100.0, 120.0, 140.0), (50.0, 60.0, 70.0)


def _normalised(pixels):
    mean = torch.tensor(MEAN).view(1, -1, 1, 1)
    std = torch.tensor(STD).view(1, -1, 1, 1)
    return (pixels - mean) / std


def _pixels(images):
    mean = torch.tensor(MEAN).view(1, -1, 1, 1)
    std = torch.tensor(STD).view(1, -1, 1, 1)
    return images * std + mean


def test_permutation_alone_moves_whole_channels_in_pixel_space():
    pixels = torch.stack([
        torch.full((4, 4), 10.0),
        torch.full((4, 4), 20.0),
        torch.full((4, 4), 30.0)
    ])[None].repeat(8, 1, 1, 1)
    shuffle = RandomColorShuffle(
        MEAN, STD, invert_prob=0.0, max_contrast=1.0, seed=0)
    out = _pixels(shuffle(_normalised(pixels)))
    seen = set()
    for image in out:
        values = tuple(round(float(v)) for v in image[:, 0, 0])
        assert sorted(values) == [10, 20, 30]  # a permutation, per image
        assert all((image[c] == image[c, 0, 0]).all() for c in range(3))
        seen.add(values)
    assert len(seen) > 1  # images get different permutations


def test_inversion_and_contrast_stay_in_the_pixel_range():
    pixels = torch.tensor([0.0, 64.0, 127.5, 200.0,
                           255.0]).view(1, 1, 1, 5).repeat(16, 3, 1, 1)
    inverted = RandomColorShuffle(
        MEAN, STD, permute=False, invert_prob=1.0, max_contrast=1.0, seed=0)
    out = _pixels(inverted(_normalised(pixels)))
    assert torch.allclose(out, 255 - pixels, atol=1e-3)
    contrast = RandomColorShuffle(
        MEAN, STD, permute=False, invert_prob=0.0, max_contrast=3.0, seed=0)
    out = _pixels(contrast(_normalised(pixels)))
    assert out.min() >= -1e-3 and out.max() <= 255 + 1e-3
    # Mid-grey stays; darker pixels get darker, brighter ones brighter.
    assert torch.allclose(out[..., 2], torch.full_like(out[..., 2], 127.5))
    assert (out[..., 1] <= 64.0 + 1e-3).all()
    assert (out[..., 3] >= 200.0 - 1e-3).all()


def test_gradients_reach_the_images_and_draws_resume():
    images = torch.randn(4, 3, 5, 5, requires_grad=True)
    shuffle = RandomColorShuffle(MEAN, STD, seed=3)
    shuffle(images).sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0
    # A copy restored from the state dict draws what the original draws
    # next; the global random state is not touched.
    restored = RandomColorShuffle(MEAN, STD, seed=99)
    restored.load_state_dict(shuffle.state_dict())
    batch = torch.rand(4, 3, 5, 5)
    state = torch.get_rng_state()
    assert torch.equal(shuffle(batch), restored(batch))
    assert torch.equal(state, torch.get_rng_state())


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='one value per channel'):
        RandomColorShuffle(mean=(0, 0), std=(1, 1, 1))
    with pytest.raises(ValueError, match='max_contrast'):
        RandomColorShuffle(max_contrast=0.5)
    with pytest.raises(ValueError, match='channels'):
        RandomColorShuffle()(torch.zeros(1, 1, 2, 2))


def test_the_pool_augments_replayed_images_with_its_own_draws():
    kwargs = dict(
        capacity=8,
        image_shape=(3, 4, 4),
        replay_fraction=1.0,
        fill_from='generator',
        dtype='float32',
        seed=0)
    # Every channel inverted, nothing else: the sums below tell.
    inverting = dict(
        type='RandomColorShuffle',
        mean=MEAN,
        std=STD,
        invert_prob=1.0,
        max_contrast=1.0)
    plain = SyntheticImagePool(**kwargs)
    colored = SyntheticImagePool(**kwargs, augmentation=inverting)
    images = _normalised(torch.rand(8, 3, 4, 4) * 255)
    plain.add(images)
    colored.add(images)
    drawn, shuffled = plain.sample(8), colored.sample(8)
    # The same images drawn (same pool seed), every channel inverted.
    assert torch.allclose(
        _pixels(shuffled).sum(1), 3 * 255 - _pixels(drawn).sum(1), atol=1e-2)
    # The pool's counter drives the draws, so a resumed pool repeats them.
    resumed = SyntheticImagePool(**kwargs, augmentation=inverting)
    resumed.load_state_dict(colored.state_dict())
    assert torch.equal(resumed.sample(8), colored.sample(8))
