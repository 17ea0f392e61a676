# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmrazor_dfad.registry import MODELS
from .dafl_generator import _PixelNormalization
from .latent import SeededLatentMixin

# Each stage doubles the size: four stages make the linear layer's feature
# map 1/16 of the image, as in the paper's segmentation generator.
UPSAMPLE_STAGES = 4


@MODELS.register_module()
class DCGANGenerator(SeededLatentMixin, BaseModule):
    """The DFAD paper's segmentation generator: a DCGAN generator (Radford
    et al. 2016) with a linear projection (Fang et al. 2019, CamVid and
    NYUv2).

    ``linear -> BN -> 4 x (transposed conv 4x4 stride 2, BN, LeakyReLU) ->
    conv 3x3 -> tanh``. The linear layer maps the latent vector to a
    ``hidden_channels x img_size/16 x img_size/16`` feature map; each stage
    doubles its size, the first three halve the channels and the last keeps
    them (``hidden_channels / 8``, ``ngf`` of the paper's code). The
    state-dict keys are those of the paper's ``GeneratorB``
    (``project.1``, ``main.0`` ... ``main.13``), so its generator
    checkpoints load here.

    Weights are initialised as in DCGAN: convolutions and the linear layer
    from ``N(0, 0.02)`` with zero biases, BatchNorm scales from
    ``N(1, 0.02)`` with zero shifts.

    Without ``pixel_normalization`` the images are the ``tanh`` output, in
    ``[-1, 1]``: the input of a teacher trained on images normalised with
    mean 0.5 and std 0.5 per channel (``mean=std=127.5`` in pixel units), as
    the paper's teachers were. Unlike :class:`DAFLGenerator`, no BatchNorm
    standardises the output.

    Interface: that of :class:`DAFLGenerator` (MMRazor's ``forward(data,
    batch_size)``, :meth:`process_latent`, ``img_size`` / ``latent_dim`` /
    ``hidden_channels`` / ``out_channels``) and its latent noise: drawn on
    the device of the weights from a stream seeded per run, rank and draw,
    saved in the state dict
    (:class:`~mmrazor_dfad.models.generators.latent.SeededLatentMixin`).

    Args:
        img_size (int): Height and width of the generated images. Must be a
            multiple of 16.
        latent_dim (int): Length of the latent vector ``z`` (``nz`` of the
            paper's code; 256 for CamVid).
        hidden_channels (int): Channels of the linear layer's feature map
            (``8 * ngf`` of the paper's code). Must be a multiple of 8.
            Defaults to 512 (``ngf=64``).
        leaky_slope (float): Negative slope of the LeakyReLUs. Defaults to
            0.2.
        bn_eps (float): ``eps`` of the BatchNorm layers. Defaults to 1e-5
            (PyTorch's, as the paper's code uses).
        init_cfg (dict, optional): MMEngine initialisation config, applied
            after the DCGAN initialisation when the runner initialises the
            weights.
        out_channels (int): Image channels: 3 for RGB teachers, 1 for
            grayscale ones. Defaults to 3.
        pixel_normalization (dict, optional): ``dict(mean=[...], std=[...])``
            of the teacher's data preprocessor (pixel units, 0-255). When
            given, ``tanh`` is mapped to the pixel range ``[0, 255]`` and
            normalised like the teacher's input, ``((tanh + 1) * 127.5 -
            mean) / std``, so a teacher trained with other statistics gets
            images in its own input range. Defaults to None (the paper's
            layer: ``tanh``).
        latent_rng (str): ``'private'`` (the seeded stream) or ``'global'``
            (PyTorch's global CPU generator, as MMRazor's generators draw
            it). Defaults to ``'private'``.
    """

    def __init__(self,
                 img_size: int,
                 latent_dim: int,
                 hidden_channels: int = 512,
                 leaky_slope: float = 0.2,
                 bn_eps: float = 1e-5,
                 init_cfg: Optional[Dict] = None,
                 out_channels: int = 3,
                 pixel_normalization: Optional[Dict] = None,
                 latent_rng: str = 'private') -> None:
        super().__init__(init_cfg=init_cfg)
        self._init_latent_stream(latent_rng)
        for name, value, minimum in (('img_size', img_size,
                                      16), ('latent_dim', latent_dim, 1),
                                     ('hidden_channels', hidden_channels,
                                      8), ('out_channels', out_channels, 1)):
            if not isinstance(value, int) or value < minimum:
                raise ValueError(
                    f'DCGANGenerator: {name} must be an integer >= '
                    f'{minimum}, got {value!r}.')
        growth = 2**UPSAMPLE_STAGES
        if img_size % growth != 0:
            raise ValueError(
                f'DCGANGenerator: img_size={img_size} is not a multiple of '
                f'{growth}; the {UPSAMPLE_STAGES} upsampling stages could '
                f'not reach it. Use e.g. '
                f'img_size={max(1, img_size // growth) * growth}.')
        if hidden_channels % 8 != 0:
            raise ValueError(
                f'DCGANGenerator: hidden_channels={hidden_channels} must be '
                'a multiple of 8 (the first three stages halve it).')
        self.img_size = img_size
        self.latent_dim = latent_dim
        self.hidden_channels = hidden_channels
        self.out_channels = out_channels
        self.init_size = img_size // growth

        # Flatten first: the paper's latent has shape (N, nz, 1, 1); ours
        # (N, latent_dim) passes unchanged.
        self.project = nn.Sequential(
            nn.Flatten(),
            nn.Linear(latent_dim, hidden_channels * self.init_size**2))
        layers = [nn.BatchNorm2d(hidden_channels, eps=bn_eps)]
        channels = hidden_channels
        for stage in range(UPSAMPLE_STAGES):
            out = channels // 2 if stage < UPSAMPLE_STAGES - 1 else channels
            layers += [
                # Kernel 4, stride 2, padding 1: exactly twice the size.
                nn.ConvTranspose2d(channels, out, 4, 2, 1, bias=False),
                nn.BatchNorm2d(out, eps=bn_eps),
                nn.LeakyReLU(leaky_slope, inplace=True)
            ]
            channels = out
        layers += [nn.Conv2d(channels, out_channels, 3, 1, 1), nn.Tanh()]
        self.main = nn.Sequential(*layers)
        if pixel_normalization is None:
            self.normalize = nn.Identity()
        else:
            mean = torch.as_tensor(
                pixel_normalization['mean'], dtype=torch.float32)
            std = torch.as_tensor(
                pixel_normalization['std'], dtype=torch.float32)
            if mean.numel() != out_channels or std.numel() != out_channels:
                raise ValueError(
                    'DCGANGenerator: pixel_normalization needs one mean and '
                    f'one std per channel ({out_channels}), got '
                    f'{pixel_normalization!r}.')
            self.normalize = _PixelNormalization(mean, std)
        self._dcgan_init()

    def _dcgan_init(self) -> None:
        """DCGAN's initialisation, drawn from the global random state (the
        runner seeds it) when the generator is built."""
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(module.weight, 0.0, 0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.normal_(module.weight, 1.0, 0.02)
                nn.init.zeros_(module.bias)

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
            ``(N, out_channels, img_size, img_size)``: in ``[-1, 1]``, or
            normalised like the teacher's input with ``pixel_normalization``.
        """
        latent = self._latent_of_call(data, batch_size, latent)
        features = self.project(latent).view(-1, self.hidden_channels,
                                             self.init_size, self.init_size)
        return self.normalize(self.main(features))
