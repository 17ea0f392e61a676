# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import time
from typing import Dict, Optional

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrazor_dfad.registry import HOOKS, MODELS

# Spreads the per-rank, per-iteration seeds apart (large primes).
_RANK_STRIDE = 1_000_003
_ITER_STRIDE = 7_919
# Where the hook's state goes in the checkpoint.
CHECKPOINT_KEY = 'data_impression_hook'


@HOOKS.register_module()
class DataImpressionHook(Hook):
    """Fills the algorithm's replay pool with images optimised against the
    teacher (:class:`DataImpressionSynthesizer`): a bank before training,
    a few more during training, or both.

    Before training, ``bank_size`` images are made and stored in the
    pool's persistent region when it has one (``persistent_capacity``),
    where the generator's images never displace them; a resumed run whose
    pool already holds them makes none. Every ``interval`` iterations,
    ``images_per_interval`` more go into the pool's first-in-first-out
    region, interleaved with the generator's. The time spent is part of
    the run's wall time and is logged (``synthesis/seconds``, cumulative
    over this process's run, and ``synthesis/images``).

    Under DDP each rank makes its share of the images and the pool adds
    those of all ranks. Draws come from a generator seeded by ``seed``
    (default: the run's seed), the rank and the iteration, and the class
    similarity the synthesizer's targets fitted on its first call is saved
    with the checkpoint (``checkpoint['data_impression_hook']``) and
    restored on resume, so a resumed run synthesises what an uninterrupted
    one would: refitting it there (``similarity_from='logits'``) would both
    fit from other images and take draws the uninterrupted run never took.
    With ``similarity_from='logits'`` under DDP each rank fits its own
    similarity; the checkpoint holds rank 0's, which every rank then uses.

    Args:
        synthesizer (dict): Config of the synthesizer, e.g.
            ``dict(type='DataImpressionSynthesizer', targets=dict(
            type='ClassSimilarityTargets', num_classes=10))``. Without
            ``pixel_normalization`` it gets the ``mean`` and ``std`` of the
            algorithm's data preprocessor (the normalisation of the real
            images the teacher sees), when that has them.
        bank_size (int): Images made before training. Defaults to 0.
        interval (int): Iterations between syntheses during training; 0
            disables. Defaults to 0.
        images_per_interval (int): Images made at each of them. Defaults to
            0.
        teacher (str, optional): Which teacher to invert. Defaults to None
            (the only one; required with several).
        seed (int, optional): Seed of the draws. Defaults to None.
    """

    priority = 'NORMAL'

    def __init__(self,
                 synthesizer: Dict,
                 bank_size: int = 0,
                 interval: int = 0,
                 images_per_interval: int = 0,
                 teacher: Optional[str] = None,
                 seed: Optional[int] = None) -> None:
        for name, value in (('bank_size', bank_size), ('interval', interval),
                            ('images_per_interval', images_per_interval)):
            if isinstance(value,
                          bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f'DataImpressionHook: {name} must be an '
                                 f'integer >= 0, got {value!r}.')
        if bool(interval) != bool(images_per_interval):
            raise ValueError(
                'DataImpressionHook: interval and images_per_interval go '
                'together: set both (synthesis during training) or neither, '
                f'got interval={interval}, '
                f'images_per_interval={images_per_interval}.')
        if not bank_size and not interval:
            raise ValueError(
                'DataImpressionHook makes nothing: set bank_size (images '
                'before training) and/or interval with images_per_interval.')
        if not isinstance(synthesizer, dict) or 'type' not in synthesizer:
            raise TypeError('DataImpressionHook: synthesizer must be a config '
                            f'dict with a type, got {synthesizer!r}.')
        self.synthesizer_cfg = dict(synthesizer)
        self.synthesizer = None
        self.bank_size = bank_size
        self.interval = interval
        self.images_per_interval = images_per_interval
        self.teacher_name = teacher
        self.seed = seed
        self.seconds = 0.0
        self.images = 0
        # The targets' state of a resumed run, applied when the synthesizer
        # is built (it is built lazily, once the algorithm is known).
        self._resumed_targets: Optional[Dict] = None

    def _parts(self, runner):
        algorithm = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        pool = getattr(algorithm, 'pool', None)
        if pool is None:
            raise ValueError(
                'DataImpressionHook stores its images in the algorithm\'s '
                'replay pool, but model.pool is not set: add e.g. '
                "model.pool=dict(type='SyntheticImagePool', "
                "capacity=25600, replay_fraction=1.0, fill_from='generator',"
                ' persistent_capacity=10240).')
        teachers = algorithm.teachers
        if self.teacher_name is None:
            if len(teachers) != 1:
                raise ValueError(
                    'DataImpressionHook: the algorithm has the teachers '
                    f'{sorted(teachers)}; name the one to invert with '
                    'teacher=...')
            teacher = next(iter(teachers.values()))
        elif self.teacher_name not in teachers:
            raise ValueError(
                f'DataImpressionHook: no teacher {self.teacher_name!r}; the '
                f'algorithm has {sorted(teachers)}.')
        else:
            teacher = teachers[self.teacher_name]
        student = algorithm.student
        return algorithm, pool, teacher, student

    def _build_synthesizer(self, algorithm) -> None:
        cfg = dict(self.synthesizer_cfg)
        preprocessor = getattr(algorithm, 'data_preprocessor', None)
        if 'pixel_normalization' not in cfg and getattr(
                preprocessor, 'mean', None) is not None and getattr(
                    preprocessor, 'std', None) is not None:
            cfg['pixel_normalization'] = dict(
                mean=preprocessor.mean.flatten().tolist(),
                std=preprocessor.std.flatten().tolist())
        self.synthesizer = MODELS.build(cfg)
        if self._resumed_targets is not None:
            self.synthesizer.targets.load_state_dict(self._resumed_targets)
            self._resumed_targets = None

    def _synthesize(self, runner, count: int, persistent: bool,
                    step: int) -> None:
        algorithm, pool, teacher, student = self._parts(runner)
        if self.synthesizer is None:
            self._build_synthesizer(algorithm)
        share = -(-count // get_world_size())
        seed = self.seed if self.seed is not None else \
            runner.seed if isinstance(runner.seed, int) else 0
        rng = torch.Generator().manual_seed(seed + get_rank() * _RANK_STRIDE +
                                            step * _ITER_STRIDE)
        device = pool.images.device
        started = time.perf_counter()
        self.synthesizer.to(device)
        images = self.synthesizer.synthesize(
            teacher,
            share,
            tuple(pool.images.shape[1:]),
            device,
            rng,
            student=student)
        pool.add(images, persistent=persistent)
        self.seconds += time.perf_counter() - started
        self.images += share * get_world_size()
        runner.message_hub.update_scalar('train/synthesis/seconds',
                                         self.seconds)
        runner.message_hub.update_scalar('train/synthesis/images', self.images)
        runner.logger.info(
            f'DataImpressionHook: {share * get_world_size()} images '
            f'optimised against the teacher into the pool '
            f'({"persistent" if persistent else "first-in-first-out"} '
            f'region) in {time.perf_counter() - started:.1f} s.')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Save the synthesizer's targets (the class similarity) once
        they are fitted."""
        targets = self._targets_state()
        if targets is not None:
            checkpoint[CHECKPOINT_KEY] = dict(targets=targets)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the saved class similarity (a checkpoint without one, of
        a run that had not synthesised yet or of an older version, leaves
        it to be fitted on the first synthesis)."""
        saved = checkpoint.get(CHECKPOINT_KEY)
        if saved is None:
            return
        targets = {
            key: torch.as_tensor(value)
            for key, value in saved['targets'].items()
        }
        if self.synthesizer is not None:
            self.synthesizer.targets.load_state_dict(targets)
        else:
            self._resumed_targets = targets

    def _targets_state(self) -> Optional[Dict]:
        """The fitted targets' state on the CPU, else None."""
        if self.synthesizer is not None and bool(
                self.synthesizer.targets.fitted):
            return {
                key: value.detach().cpu()
                for key, value in
                self.synthesizer.targets.state_dict().items()
            }
        return self._resumed_targets

    def before_train(self, runner) -> None:
        """Make the bank, unless the (resumed) pool already holds it."""
        _, pool, _, _ = self._parts(runner)
        if not self.bank_size:
            return
        persistent = bool(pool.persistent_capacity)
        if persistent and pool.persistent_count > 0:
            return
        if not persistent and runner.iter > 0:
            return
        self._synthesize(runner, self.bank_size, persistent, step=0)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Synthesise during training every ``interval`` iterations."""
        if self.interval and self.every_n_train_iters(runner, self.interval):
            self._synthesize(
                runner,
                self.images_per_interval,
                persistent=False,
                step=runner.iter + 1)
