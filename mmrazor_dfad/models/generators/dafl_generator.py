# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import math
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmrazor_dfad.registry import MODELS
from .latent import SeededLatentMixin


class _NearestUpsample(torch.autograd.Function):
    """Integer-factor nearest upsampling with a pooling backward.

    Autograd's backward of ``expand`` + ``reshape`` reduces over two strided
    dimensions, which is slower on CPU than summing each ``scale x scale``
    window with ``avg_pool2d``.
    """

    @staticmethod
    def forward(ctx, images: torch.Tensor, scale: int) -> torch.Tensor:
        ctx.scale = scale
        n, c, h, w = images.shape
        if images.dim() == 4 and not images.is_contiguous() and \
                images.is_contiguous(memory_format=torch.channels_last):
            # Repeated in NHWC order, so the result stays channels_last and
            # the next (channels_last) conv needs no layout copy.
            return images.permute(0, 2, 3, 1)[:, :, None, :, None, :].expand(
                n, h, scale, w, scale, c).reshape(n, h * scale, w * scale,
                                                  c).permute(0, 3, 1, 2)
        return images[:, :, :, None, :,
                      None].expand(n, c, h, scale, w,
                                   scale).reshape(n, c, h * scale, w * scale)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        scale = ctx.scale
        # Window sums; for scale 2 the divide-then-multiply by 4 is exact.
        # In place: no second gradient-sized buffer at the peak.
        grad_images = F.avg_pool2d(grad_output, scale).mul_(scale * scale)
        return grad_images, None


def auto_upsample_stages(img_size: int) -> int:
    """Upsampling stages for ``img_size`` px: 2 up to 32 px (MMRazor's
    generator), one more per doubling beyond (64: 3, 128: 4, 256: 5)."""
    return max(2, 2 + math.ceil(math.log2(max(img_size, 1) / 32)))


def upsample_nearest(images: torch.Tensor, scale: int) -> torch.Tensor:
    """Nearest-neighbour upsampling by an integer factor.

    Equal, values and gradients (up to float summation order), to
    ``F.interpolate(images, scale_factor=scale)`` (each pixel repeated
    ``scale x scale`` times), but faster on CPU: PyTorch 2.14's
    ``upsample_nearest2d`` spends most of its time in a memory-format copy,
    and the backward here sums windows with ``avg_pool2d``.

    Args:
        images (torch.Tensor): Shape ``(N, C, H, W)``.
        scale (int): Upsampling factor.

    Returns:
        torch.Tensor: Shape ``(N, C, H * scale, W * scale)``.
    """
    if scale == 1:
        return images
    return _NearestUpsample.apply(images, scale)


class _PixelNormalization(nn.Module):
    """``[-1, 1] -> [0, 255] -> (x - mean) / std``, per channel."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer('mean', mean.view(1, -1, 1, 1), persistent=False)
        self.register_buffer('std', std.view(1, -1, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return ((images + 1) * 127.5 - self.mean) / self.std


@MODELS.register_module()
class DAFLGenerator(SeededLatentMixin, BaseModule):
    """The DAFL / DFAD image generator (Chen et al. 2019; Fang et al. 2019).

    ``linear -> BN -> up x2 -> conv, BN, LeakyReLU -> up x2 -> conv, BN,
    LeakyReLU -> conv -> tanh -> BN(affine=False)``. The state-dict keys match
    MMRazor's ``DAFLGenerator``, so its checkpoints load here.

    Larger images (segmentation: 64, 128, 256 px) need more upsampling:
    with ``upsample_stages=s > 2`` the linear layer makes
    ``img_size / 2**s`` pixels square and ``s - 2`` more blocks (``up x2 ->
    conv, BN, LeakyReLU``, each halving the channels) run between the first
    and the last block, so the cost per output pixel stays that of the
    32-px generator.

    The generator draws its own latent noise, on the device of its weights,
    from a stream seeded per run, rank and draw and saved in the state dict
    (:class:`~mmrazor_dfad.models.generators.latent.SeededLatentMixin`).

    The call interface is a superset of MMRazor 1.0.0's ``DAFLGenerator``:
    its arguments come first, in its order and with its meaning, by position
    or keyword (``forward(data, batch_size)``, :meth:`process_latent`,
    ``img_size`` / ``latent_dim`` / ``hidden_channels``); the arguments only
    this generator has (``out_channels``, ``pixel_normalization``) follow.

    Args:
        img_size (int): Height and width of the generated images. Must be a
            multiple of ``scale_factor ** 2``.
        latent_dim (int): Length of the latent vector ``z``.
        hidden_channels (int): Channels after the linear layer (``2 * ngf``
            in the paper's code). Must be even.
        scale_factor (int): Upsampling factor of each of the two upsampling
            stages. Defaults to 2.
        bn_eps (float): ``eps`` of the inner BatchNorm layers. The paper's
            code uses 0.8; MMRazor's CIFAR config uses 1e-5. Defaults to 0.8.
        leaky_slope (float): Negative slope of the LeakyReLUs. Defaults to 0.2.
        init_cfg (dict, optional): MMEngine initialisation config.
        out_channels (int): Image channels: 3 for RGB teachers, 1 for
            grayscale ones. Defaults to 3.
        pixel_normalization (dict, optional): ``dict(mean=[...], std=[...])``
            of the teacher's data preprocessor (pixel units, 0-255). When
            given, the last layer maps ``tanh`` to the pixel range
            ``[0, 255]`` and normalises it like the teacher's input,
            ``((tanh + 1) * 127.5 - mean) / std``, instead of standardising
            each batch with ``BatchNorm(affine=False)``: every generated
            image is then a valid image, and no batch can drift outside the
            range of real pixels. Defaults to None (the paper's layer).
        upsample_stages (int | str): Upsampling stages: 2 (MMRazor's
            generator), more for larger images, or ``'auto'``: 2 up to 32 px,
            then one more per doubling (64 px: 3, 128: 4, 256: 5). Defaults
            to 2.
        latent_rng (str): Where the latent noise comes from: ``'private'``
            (the generator's own random generator, described above) or
            ``'global'`` (PyTorch's global CPU generator, as MMRazor's
            generators draw it: the same noise on every rank unless
            ``randomness.diff_rank_seed=True``; for comparisons with
            MMRazor). Defaults to ``'private'``.
    """

    def __init__(self,
                 img_size: int,
                 latent_dim: int,
                 hidden_channels: int,
                 scale_factor: int = 2,
                 bn_eps: float = 0.8,
                 leaky_slope: float = 0.2,
                 init_cfg: Optional[Dict] = None,
                 out_channels: int = 3,
                 pixel_normalization: Optional[Dict] = None,
                 latent_rng: str = 'private',
                 upsample_stages: Union[int, str] = 2) -> None:
        super().__init__(init_cfg=init_cfg)
        if upsample_stages == 'auto':
            upsample_stages = auto_upsample_stages(img_size)
        self._init_latent_stream(latent_rng)
        for name, value, minimum in (('img_size', img_size,
                                      1), ('latent_dim', latent_dim, 1),
                                     ('hidden_channels', hidden_channels,
                                      2), ('out_channels', out_channels, 1),
                                     ('scale_factor', scale_factor, 1),
                                     ('upsample_stages', upsample_stages, 2)):
            if not isinstance(value, int) or value < minimum:
                raise ValueError(
                    f'DAFLGenerator: {name} must be an integer >= {minimum}, '
                    f'got {value!r}.')
        growth = scale_factor**upsample_stages
        if img_size % growth != 0:
            raise ValueError(
                f'DAFLGenerator: img_size={img_size} is not a multiple of '
                f'scale_factor**upsample_stages={growth}; the '
                f'{upsample_stages} upsampling stages could not reach it. Use '
                f'e.g. img_size={max(1, img_size // growth) * growth}.')
        last_channels = hidden_channels // 2**(upsample_stages - 2)
        halvings = upsample_stages - 1
        if hidden_channels % 2**halvings != 0:
            need = 'even (the last block halves it)' if halvings == 1 else \
                f'a multiple of {2**halvings} (the last {halvings} blocks ' \
                'halve it)'
            raise ValueError(
                f'DAFLGenerator: hidden_channels={hidden_channels} must be '
                f'{need}.')
        self.img_size = img_size
        self.latent_dim = latent_dim
        self.hidden_channels = hidden_channels
        self.out_channels = out_channels
        self.scale_factor = scale_factor
        self.upsample_stages = upsample_stages
        self.init_size = img_size // growth

        self.linear = nn.Linear(latent_dim,
                                hidden_channels * self.init_size**2)
        self.bn1 = nn.BatchNorm2d(hidden_channels)
        self.conv_blocks1 = nn.Sequential(
            nn.Conv2d(hidden_channels, hidden_channels, 3, 1, 1),
            nn.BatchNorm2d(hidden_channels, eps=bn_eps),
            nn.LeakyReLU(leaky_slope, inplace=True))
        # Only larger images have these (MMRazor's keys stay unchanged).
        if upsample_stages > 2:
            self.extra_blocks = nn.ModuleList([
                nn.Sequential(
                    nn.Conv2d(hidden_channels // 2**i,
                              hidden_channels // 2**(i + 1), 3, 1, 1),
                    nn.BatchNorm2d(hidden_channels // 2**(i + 1), eps=bn_eps),
                    nn.LeakyReLU(leaky_slope, inplace=True))
                for i in range(upsample_stages - 2)
            ])
        last_layers = [
            nn.Conv2d(last_channels, last_channels // 2, 3, 1, 1),
            nn.BatchNorm2d(last_channels // 2, eps=bn_eps),
            nn.LeakyReLU(leaky_slope, inplace=True),
            nn.Conv2d(last_channels // 2, out_channels, 3, 1, 1),
            nn.Tanh()
        ]
        if pixel_normalization is None:
            # Standardises the images per channel, as the teacher's input
            # normalisation would.
            last_layers.append(nn.BatchNorm2d(out_channels, affine=False))
        else:
            mean = torch.as_tensor(
                pixel_normalization['mean'], dtype=torch.float32)
            std = torch.as_tensor(
                pixel_normalization['std'], dtype=torch.float32)
            if mean.numel() != out_channels or std.numel() != out_channels:
                raise ValueError(
                    'DAFLGenerator: pixel_normalization needs one mean and '
                    f'one std per channel ({out_channels}), got '
                    f'{pixel_normalization!r}.')
            last_layers.append(_PixelNormalization(mean, std))
        self.conv_blocks2 = nn.Sequential(*last_layers)

    def forward(self,
                data: Optional[torch.Tensor] = None,
                batch_size: int = 1,
                *,
                latent: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Generate images.

        Args:
            data (torch.Tensor, optional): Latent vectors of shape
                ``(N, latent_dim)`` (MMRazor's name). Drawn with
                :meth:`sample_latent` when None.
            batch_size (int): Number of images when no latent vectors are
                given. Defaults to 1.
            latent (torch.Tensor, optional): Keyword alias of ``data``; give
                one of the two.

        Returns:
            torch.Tensor: Images of shape
            ``(N, out_channels, img_size, img_size)``: standardised per
            channel by the last BatchNorm, or normalised like the teacher's
            input with ``pixel_normalization``.
        """
        latent = self._latent_of_call(data, batch_size, latent)
        images = self.linear(latent).view(-1, self.hidden_channels,
                                          self.init_size, self.init_size)
        images = self.bn1(images)
        images = upsample_nearest(images, self.scale_factor)
        images = self.conv_blocks1(images)
        for block in getattr(self, 'extra_blocks', ()):
            images = block(upsample_nearest(images, self.scale_factor))
        images = upsample_nearest(images, self.scale_factor)
        return self.conv_blocks2(images)
