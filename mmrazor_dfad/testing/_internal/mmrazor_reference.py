# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""MMRazor 1.0.0's own data-free algorithms beside ours, from one config.

Used by the equivalence tests: MMRazor's class and ours are built from the
same MMRazor config, given the same weights and optimizers, and stepped
from the same random state.
"""
import copy
import os.path as osp
from typing import Dict, List, Tuple

import torch
import torch.nn as nn
from mmengine import Config, ConfigDict
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

MMRAZOR_CONFIGS = {
    name: f'distill/mmcls/{name}/{name}_{tail}_resnet34_resnet18_{batch}'
    '_cifar10.py'
    for name, tail, batch in (('dfad', 'logits', '8xb32'), ('dafl', 'logits',
                                                            '8xb256'),
                              ('zskt', 'backbone_logits', '8xb16'))
}


class ModuleAlias(nn.Module):
    """Gives MMRazor's algorithm the ``generator.module`` it reads.

    MMRazor 1.0.0 reads ``self.generator.module.latent_dim``, which only a
    DDP-wrapped generator has; this wrapper adds nothing else.

    Args:
        module (nn.Module): The generator.
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        """Call the wrapped generator."""
        return self.module(*args, **kwargs)


def mmrazor_config(name: str) -> Config:
    """One of MMRazor 1.0.0's installed data-free configs.

    Args:
        name (str): ``'dfad'``, ``'dafl'`` or ``'zskt'``.

    Returns:
        Config: The config as MMRazor ships it.
    """
    import mmrazor
    return Config.fromfile(
        osp.join(
            osp.dirname(mmrazor.__file__), '.mim', 'configs',
            MMRAZOR_CONFIGS[name]))


def offline_model_cfg(cfg: Config) -> ConfigDict:
    """The config's model, with the teachers built randomly (offline)."""
    model = copy.deepcopy(cfg.model)
    model.pop('_scope_', None)
    for teacher in model.teachers.values():
        teacher.build_cfg.pretrained = False
        teacher.pop('ckpt_path', None)
    return model


def build_mmrazor_and_ours(name: str,
                           **overrides) -> Tuple[nn.Module, nn.Module, Dict]:
    """MMRazor's algorithm and ours from one MMRazor config, same weights.

    Ours is built with ``reproduce_mmrazor_side_effects=True`` and a
    generator drawing its noise from the global random generator, as
    MMRazor's does, unless ``overrides`` say otherwise.

    Args:
        name (str): ``'dfad'``, ``'dafl'`` or ``'zskt'``.
        **overrides: Model config keys to change in both (e.g.
            ``student_iter=2``), and ``ours=dict(...)`` for ours only.

    Returns:
        tuple: ``(theirs, ours, optim_wrapper_cfg)``; MMRazor's generator is
        inside a :class:`ModuleAlias`.
    """
    import mmrazor.models  # noqa: F401  (registers MMRazor's classes)
    from mmrazor.registry import MODELS as MMRAZOR_MODELS

    from mmrazor_dfad.registry import MODELS
    cfg = mmrazor_config(name)
    ours_only = overrides.pop('ours', {})
    model = offline_model_cfg(cfg)
    model.update(overrides)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        theirs = MMRAZOR_MODELS.build(copy.deepcopy(model))
    ours_cfg = copy.deepcopy(model)
    ours_cfg.reproduce_mmrazor_side_effects = True
    if ours_cfg.generator.type == 'DAFLGenerator':
        ours_cfg.generator.latent_rng = 'global'
    ours_cfg.update(ours_only)
    with DefaultScope.overwrite_default_scope('mmrazor_dfad'):
        ours = MODELS.build(ours_cfg)
    ours.student.load_state_dict(theirs.student.state_dict())
    ours.teachers.load_state_dict(theirs.teachers.state_dict())
    # Ours may save its noise generator's state besides the weights.
    missing, unexpected = ours.generator.load_state_dict(
        theirs.generator.state_dict(), strict=False)
    assert not unexpected and all('extra_state' in key for key in missing)
    theirs.generator = ModuleAlias(theirs.generator)
    return theirs, ours, cfg.optim_wrapper


def build_optim_wrappers(theirs: nn.Module, ours: nn.Module,
                         optim_wrapper_cfg: Dict) -> Tuple[Dict, Dict]:
    """The config's optimizers for both, each in its own scope."""
    cfg = copy.deepcopy(optim_wrapper_cfg)
    cfg.pop('_delete_', None)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        theirs_wrappers = build_optim_wrapper(theirs, copy.deepcopy(cfg))
    with DefaultScope.overwrite_default_scope('mmrazor_dfad'):
        ours_wrappers = build_optim_wrapper(ours, copy.deepcopy(cfg))
    return theirs_wrappers, ours_wrappers


def record_losses(algorithm: nn.Module) -> List[Tuple[str, Dict]]:
    """Record every loss dict the algorithm's two distillers compute.

    Returns:
        list: Filled as training runs with ``('distiller' |
        'generator_distiller', {loss name: float})``.
    """
    records: List[Tuple[str, Dict]] = []
    for key in ('distiller', 'generator_distiller'):
        distiller = getattr(algorithm, key)
        compute = distiller.compute_distill_losses

        def recorded(compute=compute, key=key):
            losses = compute()
            records.append(
                (key, {k: float(v.detach())
                       for k, v in losses.items()}))
            return losses

        distiller.compute_distill_losses = recorded
    return records


def fake_cifar_batch(batch_size: int) -> Dict:
    """A CIFAR-shaped batch: MMRazor's train step reads its labels."""
    from mmcls.structures import ClsDataSample
    generator = torch.Generator().manual_seed(0)
    return dict(
        inputs=[
            torch.randint(
                0, 256, (3, 32, 32), dtype=torch.uint8, generator=generator)
            for _ in range(batch_size)
        ],
        data_samples=[
            ClsDataSample().set_gt_label(index % 10)
            for index in range(batch_size)
        ])
