# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""MMRazor 1.0.0's ``DataFreeDistillation`` and its ``DAFLGenerator``.

- mmrazor: through the same runner as ours, with the real-data
  ``train_dataloader`` it needs.
- mmrazor_train_step: its ``train_step`` on an in-memory batch (no runner,
  no data loading: the kindest setting for it).

Made runnable here only: a ``.module`` attribute on its generator (what DDP
would provide), a labelled batch for its cross-entropy, and, for grayscale
teachers, its generator's last conv and BN rebuilt with one channel (it has
no option for that); its math is not changed.
"""
import os.path as osp
import tempfile

import torch
import torch.nn as nn

from mmrazor_dfad.registry import MODELS
from .common import DEVICE, make_optimizers, median_seconds
from .contender_ours import ThroughRunner

MMRAZOR_AS_SHIPPED = 'MMRazorDataFreeDistillationForBenchmark'
OUR_SWITCHES = ('channels_last', 'compile_cfg')


class WithModule(nn.Module):
    """Gives MMRazor's algorithm the ``generator.module`` DDP would give."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)


def mmrazor_generator_cfg(generator_cfg):
    """MMRazor's own ``DAFLGenerator`` config and its channel count (it has
    no ``out_channels`` option: see :func:`fit_mmrazor_generator`)."""
    generator_cfg = dict(generator_cfg)
    out_channels = generator_cfg.pop('out_channels', 3)
    generator_cfg['type'] = 'mmrazor.DAFLGenerator'
    return generator_cfg, out_channels


def fit_mmrazor_generator(generator, out_channels):
    """For grayscale teachers rebuild the last conv and BN (the smallest
    edit a user would make); wrap it so ``generator.module`` exists."""
    if out_channels != 3:
        blocks = generator.conv_blocks2
        blocks[3] = nn.Conv2d(blocks[3].in_channels, out_channels, 3, 1, 1)
        blocks[5] = nn.BatchNorm2d(out_channels, affine=False)
    return WithModule(generator)


def generator_label(out_channels):
    """How the record names the generator MMRazor ran with."""
    return 'mmrazor.DAFLGenerator' + (
        '' if out_channels == 3 else
        f' (last conv and BN rebuilt for {out_channels} channel(s))')


def register_mmrazor_as_shipped():
    """Register MMRazor's algorithm, made runnable, for the runner path."""
    if MMRAZOR_AS_SHIPPED in MODELS.module_dict:
        return
    from mmrazor.models import DataFreeDistillation as Theirs

    class Shipped(Theirs):

        def __init__(self, generator, **kwargs):
            generator, out_channels = mmrazor_generator_cfg(generator)
            for our_switch in OUR_SWITCHES:
                kwargs.pop(our_switch, None)
            super().__init__(generator=generator, **kwargs)
            self.generator = fit_mmrazor_generator(self.generator,
                                                   out_channels)

    MODELS.register_module(name=MMRAZOR_AS_SHIPPED, module=Shipped)


class MMRazorTrainStep:
    """MMRazor 1.0.0's ``train_step`` on an in-memory batch."""

    def __init__(self, cfg):
        from mmcls.structures import ClsDataSample
        from mmengine.optim import OptimWrapper, OptimWrapperDict
        from mmrazor.models import DataFreeDistillation as Theirs
        model_cfg = dict(cfg.model)
        model_cfg.pop('type')
        for our_switch in OUR_SWITCHES:
            model_cfg.pop(our_switch, None)
        model_cfg['generator'], out_channels = mmrazor_generator_cfg(
            model_cfg['generator'])
        self.generator_used = generator_label(out_channels)
        torch.manual_seed(0)
        self.algorithm = Theirs(**model_cfg).to(DEVICE).train()
        self.algorithm.generator = fit_mmrazor_generator(
            self.algorithm.generator, out_channels)
        opt_s, opt_g = make_optimizers(cfg, self.algorithm.architecture,
                                       self.algorithm.generator)
        self.optim = OptimWrapperDict(
            architecture=OptimWrapper(opt_s), generator=OptimWrapper(opt_g))
        batch = cfg.train_dataloader.batch_size
        size = self.algorithm.generator.module.img_size
        # MMRazor reads real training batches (images and labels).
        self.data = dict(
            inputs=[
                torch.zeros(out_channels, size, size, dtype=torch.uint8)
                for _ in range(batch)
            ],
            data_samples=[
                ClsDataSample().set_gt_label(i % 10) for i in range(batch)
            ])

    def time(self, iters):
        return median_seconds(
            lambda: self.algorithm.train_step(self.data, self.optim), iters)


class MMRazorRunner(ThroughRunner):
    """MMRazor 1.0.0's algorithm through the same runner, as its users run
    it: with the real-data ``train_dataloader`` it needs (taken from
    ``data_config``; MMRazor reads each batch for its size and labels)."""

    def __init__(self,
                 config,
                 batch,
                 overrides,
                 data_config,
                 fake_cifar10=False):
        from mmengine.config import Config
        register_mmrazor_as_shipped()
        cfg = Config.fromfile(config)
        data_cfg = Config.fromfile(data_config)
        cfg.model.type = MMRAZOR_AS_SHIPPED
        cfg.train_dataloader = data_cfg.train_dataloader
        # Their dataset (and its pipeline) come from MMCls; our default
        # scope cannot see MMCls's registries without the prefix.
        cfg.train_dataloader.dataset.setdefault(
            '_scope_', data_cfg.get('default_scope', 'mmcls'))
        self.fake_cifar10 = fake_cifar10
        if fake_cifar10:
            # CIFAR-10 cannot be downloaded here; loading random images in
            # its format costs the same.
            from mmrazor_dfad.testing import write_fake_cifar10
            root = write_fake_cifar10(
                tempfile.mkdtemp(prefix='fake_cifar10_'), per_file=200)
            cfg.train_dataloader.dataset.data_prefix = root
        self.generator_used = generator_label(
            cfg.model.generator.get('out_channels', 3))
        folder = tempfile.mkdtemp(prefix='speed_mmrazor_cfg_')
        dumped = osp.join(folder, 'mmrazor_as_shipped.py')
        cfg.dump(dumped)
        super().__init__(dumped, batch, overrides)

    def time(self, iters):
        if not self.fake_cifar10:
            return super().time(iters)
        from mmrazor_dfad.testing import accept_fake_cifar10
        with accept_fake_cifar10():
            return super().time(iters)
