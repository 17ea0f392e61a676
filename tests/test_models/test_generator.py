# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import pytest
import torch
import torch.nn as nn

from mmrazor_dfad.models import DAFLGenerator, DCGANGenerator
from mmrazor_dfad.models.generators import latent as latent_stream

# Tiny generators of 8-d latents whose seeded latent streams the tests
# below compare: both share SeededLatentMixin.
TINY_GENERATORS = {
    'dafl': lambda: DAFLGenerator(img_size=8, latent_dim=8, hidden_channels=4),
    'dcgan':
    lambda: DCGANGenerator(img_size=16, latent_dim=8, hidden_channels=8),
}
tiny_generators = pytest.mark.parametrize(
    'make', TINY_GENERATORS.values(), ids=TINY_GENERATORS.keys())


@pytest.mark.parametrize('out_channels', [1, 3])
def test_shapes_and_standardised_output(out_channels):
    torch.manual_seed(0)
    generator = DAFLGenerator(
        img_size=32,
        latent_dim=16,
        hidden_channels=8,
        out_channels=out_channels)
    images = generator(batch_size=6)
    assert images.shape == (6, out_channels, 32, 32)
    # The last BatchNorm (train mode) standardises each channel.
    per_channel_mean = images.mean(dim=(0, 2, 3))
    assert torch.allclose(
        per_channel_mean, torch.zeros(out_channels), atol=1e-4)
    latent = torch.randn(2, 16)
    assert generator(latent).shape == (2, out_channels, 32, 32)


def test_architecture_matches_the_paper():
    generator = DAFLGenerator(
        img_size=32, latent_dim=100, hidden_channels=128, bn_eps=0.8)
    assert generator.linear.out_features == 128 * 8 * 8
    conv1, bn1, act1 = generator.conv_blocks1
    assert (conv1.in_channels, conv1.out_channels) == (128, 128)
    assert bn1.eps == 0.8 and act1.negative_slope == 0.2
    last_conv, tanh, last_bn = list(generator.conv_blocks2)[3:]
    assert (last_conv.in_channels, last_conv.out_channels) == (64, 3)
    assert isinstance(tanh, torch.nn.Tanh)
    assert last_bn.affine is False


def test_loads_mmrazor_generator_weights():
    from mmrazor.models.architectures.generators import \
        DAFLGenerator as MMRazorDAFLGenerator
    theirs = MMRazorDAFLGenerator(
        img_size=32, latent_dim=16, hidden_channels=8, bn_eps=1e-5)
    ours = DAFLGenerator(
        img_size=32, latent_dim=16, hidden_channels=8, bn_eps=1e-5)
    result = ours.load_state_dict(theirs.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys == ['_extra_state']
    theirs.eval(), ours.eval()
    latent = torch.randn(3, 16)
    torch.testing.assert_close(ours(latent), theirs(latent))


@pytest.mark.parametrize(
    'kwargs, message',
    [(dict(img_size=30), 'multiple of scale_factor'),
     (dict(hidden_channels=7), 'must be even'),
     (dict(latent_dim=0), 'latent_dim must be an integer >= 1'),
     (dict(out_channels=0), 'out_channels must be an integer >= 1')])
def test_bad_arguments_are_named(kwargs, message):
    arguments = dict(img_size=32, latent_dim=8, hidden_channels=8)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        DAFLGenerator(**arguments)


@tiny_generators
def test_bad_latent_and_batch_size(make):
    generator = make()
    with pytest.raises(ValueError, match=r'latent_dim=8\), got \(2, 5\)'):
        generator(torch.randn(2, 5))
    with pytest.raises(ValueError, match='batch_size must be a positive'):
        generator(batch_size=0)


@tiny_generators
def test_noise_is_seeded_per_rank_and_resumable(make, monkeypatch):

    def on_rank(rank):
        monkeypatch.setattr(latent_stream, 'current_rank', lambda: rank)

    def draw(rank):
        on_rank(rank)
        torch.manual_seed(7)
        generator = make()
        return generator, generator.sample_latent(4)

    generator, rank0 = draw(0)
    _, rank0_again = draw(0)
    rank1_generator, rank1 = draw(1)
    assert torch.equal(rank0, rank0_again)  # same seed, same noise
    assert not torch.allclose(rank0, rank1)  # other rank, other noise

    # The stream travels with the state dict: a resumed generator draws
    # what the original would have drawn next.
    on_rank(0)
    state = generator.state_dict()
    expected_next = generator.sample_latent(4)
    torch.manual_seed(999)  # a resumed process starts elsewhere
    resumed = make()
    resumed.load_state_dict(state)
    assert torch.equal(resumed.sample_latent(4), expected_next)

    # MMEngine saves rank 0's state dict and loads it on every rank: rank 1
    # resumes its own stream, not rank 0's.
    on_rank(1)
    expected_rank1_next = rank1_generator.sample_latent(4)
    resumed_rank1 = make()
    resumed_rank1.load_state_dict(state)
    assert torch.equal(resumed_rank1.sample_latent(4), expected_rank1_next)
    assert not torch.allclose(expected_rank1_next, expected_next)


@tiny_generators
def test_noise_state_of_an_older_version_warns_and_continues(make):
    generator = make()
    state = generator.state_dict()
    state['_extra_state'] = torch.Generator().get_state()  # the old format
    with pytest.warns(UserWarning, match='older format'):
        generator.load_state_dict(state)
    assert generator.sample_latent(2).shape == (2, 8)


@tiny_generators
def test_noise_and_images_are_on_the_cpu_with_cpu_weights(make):
    generator = make()
    latent = generator.sample_latent(2)
    assert latent.device == torch.device('cpu')
    assert latent.shape == (2, 8) and latent.dtype == torch.float32
    assert generator(batch_size=2).device == torch.device('cpu')


@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason='checks that noise is drawn on the GPU: needs a CUDA device')
@tiny_generators
def test_noise_follows_the_weights_to_the_gpu(make):
    generator = make()
    generator.sample_latent(2)  # a stream started on the CPU
    generator.cuda()
    assert generator.sample_latent(2).device.type == 'cuda'
    assert generator(batch_size=2).device.type == 'cuda'
    # Latent vectors given on the CPU are moved to the weights.
    assert generator(torch.zeros(2, 8)).device.type == 'cuda'


@pytest.mark.parametrize('scale', [2, 3])
@pytest.mark.parametrize('channels_last', [False, True])
def test_fast_upsampling_equals_interpolate(scale, channels_last):
    from mmrazor_dfad.models.generators.dafl_generator import upsample_nearest
    images = torch.randn(3, 4, 5, 6)
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    images.requires_grad_()
    fast = upsample_nearest(images, scale)
    reference = torch.nn.functional.interpolate(images, scale_factor=scale)
    assert torch.equal(fast, reference)
    weights = torch.randn_like(fast)
    (fast_grad, ) = torch.autograd.grad((fast * weights).sum(), images)
    (ref_grad, ) = torch.autograd.grad((reference * weights).sum(), images)
    torch.testing.assert_close(fast_grad, ref_grad)


def test_channels_last_upsampling_stays_channels_last_and_equal():
    from mmrazor_dfad.models.generators.dafl_generator import upsample_nearest
    images = torch.randn(2, 4, 5, 5)
    expected = torch.nn.functional.interpolate(images, scale_factor=2)
    channels_last = images.contiguous(memory_format=torch.channels_last)
    upsampled = upsample_nearest(channels_last.requires_grad_(), 2)
    assert upsampled.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(upsampled, expected)
    upsampled.sum().backward()
    assert torch.equal(channels_last.grad, torch.full_like(images, 4.0))


@pytest.mark.parametrize('img_size', [128, 64])
def test_dcgan_generator_has_the_papers_segmentation_shape(img_size):
    torch.manual_seed(0)
    generator = DCGANGenerator(img_size=img_size, latent_dim=256)
    # The linear layer makes a 512-channel map at 1/16 of the image.
    assert generator.project[1].in_features == 256
    assert generator.project[1].out_features == 512 * (img_size // 16)**2
    assert generator.init_size == img_size // 16
    stages = [m for m in generator.main if isinstance(m, nn.ConvTranspose2d)]
    assert [(m.in_channels, m.out_channels) for m in stages] == [(512, 256),
                                                                 (256, 128),
                                                                 (128, 64),
                                                                 (64, 64)]
    assert all(m.kernel_size == (4, 4) and m.stride == (
        2, 2) and m.padding == (1, 1) and m.bias is None for m in stages)
    last_conv, tanh = list(generator.main)[-2:]
    assert (last_conv.in_channels, last_conv.out_channels) == (64, 3)
    assert isinstance(tanh, nn.Tanh)
    # DCGAN's initialisation.
    assert abs(generator.project[1].weight.std().item() - 0.02) < 2e-3
    assert generator.project[1].bias.abs().max() == 0

    images = generator(batch_size=2)
    assert images.shape == (2, 3, img_size, img_size)
    assert images.abs().max() <= 1  # tanh, no output BatchNorm
    generator.eval()
    latent = torch.randn(3, 256)
    assert generator(latent).shape == (3, 3, img_size, img_size)
    assert torch.equal(generator(latent), generator(latent=latent))


def test_dcgan_pixel_normalization_maps_tanh_to_the_teachers_input():
    torch.manual_seed(0)
    plain = DCGANGenerator(img_size=16, latent_dim=8, hidden_channels=8)
    torch.manual_seed(0)
    half = DCGANGenerator(
        img_size=16,
        latent_dim=8,
        hidden_channels=8,
        pixel_normalization=dict(mean=[127.5] * 3, std=[127.5] * 3))
    torch.manual_seed(0)
    imagenet = DCGANGenerator(
        img_size=16,
        latent_dim=8,
        hidden_channels=8,
        pixel_normalization=dict(
            mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]))
    latent = torch.randn(2, 8)
    tanh = plain(latent)
    # mean = std = 127.5 (the paper's 0.5 / 0.5) leaves tanh as it is.
    torch.testing.assert_close(half(latent), tanh)
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    torch.testing.assert_close(
        imagenet(latent), ((tanh + 1) * 127.5 - mean) / std)
    # The statistics are constants, not weights or checkpoint entries.
    assert half.state_dict().keys() == plain.state_dict().keys()


@pytest.mark.parametrize(
    'kwargs, message',
    [(dict(img_size=40), 'not a multiple of 16'),
     (dict(img_size=8), 'img_size must be an integer >= 16'),
     (dict(hidden_channels=12), 'multiple of 8'),
     (dict(latent_dim=0), 'latent_dim must be an integer >= 1'),
     (dict(latent_rng='gpu'), 'latent_rng must be one of'),
     (dict(pixel_normalization=dict(mean=[0], std=[1])), 'one mean and')])
def test_dcgan_bad_arguments_are_named(kwargs, message):
    arguments = dict(img_size=16, latent_dim=8, hidden_channels=8)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        DCGANGenerator(**arguments)


def test_dcgan_state_round_trips_through_a_checkpoint(tmp_path):
    """Weights, BatchNorm statistics and the latent stream come back from a
    saved file: the resumed generator makes the images the original would
    have made next."""
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    torch.manual_seed(1)
    generator = DCGANGenerator(img_size=16, latent_dim=8, hidden_channels=8)
    generator(batch_size=4)  # moves the BatchNorm statistics, draws once
    path = str(tmp_path / 'generator.pth')
    save_checkpoint(generator.state_dict(), path)
    generator.eval()
    expected = generator(batch_size=3)

    torch.manual_seed(2)  # another run's weights and seed
    resumed = DCGANGenerator(img_size=16, latent_dim=8, hidden_channels=8)
    load_checkpoint(resumed, path, map_location='cpu')
    assert resumed.latent_draws == 1
    resumed.eval()
    assert torch.equal(resumed(batch_size=3), expected)
