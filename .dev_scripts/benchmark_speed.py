# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Seconds per DFAD iteration: ours (MMEngine runner) vs a bare PyTorch loop
vs MMRazor 1.0.0's DataFreeDistillation, same models, batch, student_iter.

    python .dev_scripts/benchmark_speed.py CONFIG [--batch 32]
        [--iters 5] [--repeats 3] [--out results/speed.json]

The contenders run in one process, interleaved (ours, bare, MMRazor, ours,
...) so machine noise hits all of them alike; each measurement is the
median per-iteration time after one warm-up iteration. Peak RSS is the
kernel's high-water mark of resident memory while the contender builds
its models and trains (reset after the imports), in separate short
processes per contender (so one contender's allocations do not count for
another); the median of ``--rss-probes`` processes is reported. On a
machine with a GPU all contenders train on it (the runner picks it), timers
synchronise with it, and the peak CUDA memory of each probe is reported
too (``peak_cuda_mb``).

- ours: the config through the runner as ``tools/train.py`` runs it
  (hooks, logging).
- bare: a hand-written loop with the same modules and math, written as a
  careful user would (no-grad generation for the student steps, student
  weights frozen during the generator step): the floor.
- mmrazor (with ``--real-data-config``): MMRazor 1.0.0's
  ``DataFreeDistillation`` and its ``DAFLGenerator`` through the same runner,
  with the real-data ``train_dataloader`` it needs.
- mmrazor_train_step: the same algorithm's ``train_step`` on an in-memory
  batch (no runner, no data loading: the kindest setting for it).

MMRazor is made runnable here only: the PyTorch 2.x import compat, a
``.module`` attribute on its generator (what DDP would provide), a labelled
batch for its cross-entropy, and, for grayscale teachers, its generator's
last conv and BN rebuilt with one channel (it has no option for that); its
math is not changed.
"""
import argparse
import json
import os
import os.path as osp
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmrazor_dfad.apis.benchmark import seconds_per_iteration
from mmrazor_dfad.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

# The runner trains on the GPU when there is one; the other contenders
# follow it there.
DEVICE = 'cuda' if torch.cuda.is_available() else 'cpu'


def synchronize():
    """Wait for queued GPU work, so a timer sees the work it timed."""
    if DEVICE == 'cuda':
        torch.cuda.synchronize()


def load_cfg(config, batch):
    cfg = Config.fromfile(config)
    cfg.train_dataloader.batch_size = batch
    init_default_scope(cfg.default_scope)
    return cfg


def build_algorithm(cfg):
    torch.manual_seed(0)
    return MODELS.build(cfg.model).to(DEVICE).train()


def teacher_and_student(algorithm):
    (teacher, ) = algorithm.teachers.values()
    return teacher, algorithm.student, algorithm.generator


def make_optimizers(cfg, student, generator):

    def build(opt_cfg, params):
        opt_cfg = dict(opt_cfg)
        kind = getattr(torch.optim, opt_cfg.pop('type'))
        return kind(params, **opt_cfg)

    return (build(cfg.optim_wrapper.architecture.optimizer,
                  student.parameters()),
            build(cfg.optim_wrapper.generator.optimizer,
                  generator.parameters()))


class Bare:
    """The same math as a hand-written PyTorch loop (the floor)."""

    def __init__(self, cfg):
        algorithm = build_algorithm(cfg)
        self.teacher, self.student, self.generator = teacher_and_student(
            algorithm)
        self.opt_s, self.opt_g = make_optimizers(cfg, self.student,
                                                 self.generator)
        self.batch = cfg.train_dataloader.batch_size
        self.student_iter = cfg.model.student_iter
        self.latent_dim = self.generator.latent_dim
        # The same layout switch as ours (build_algorithm converted the
        # modules already).
        self.memory_format = torch.channels_last if cfg.model.get(
            'channels_last') else torch.contiguous_format

    def iteration(self):
        for _ in range(self.student_iter):
            z = torch.randn(self.batch, self.latent_dim, device=DEVICE)
            with torch.no_grad():
                fake = self.generator(z).contiguous(
                    memory_format=self.memory_format)
                t_logits = self.teacher(fake, mode='tensor')
            self.opt_s.zero_grad()
            F.l1_loss(self.student(fake, mode='tensor'), t_logits).backward()
            self.opt_s.step()
        z = torch.randn(self.batch, self.latent_dim, device=DEVICE)
        self.opt_g.zero_grad()
        self.student.requires_grad_(False)
        fake = self.generator(z).contiguous(memory_format=self.memory_format)
        loss = -F.l1_loss(
            self.student(fake, mode='tensor'), self.teacher(
                fake, mode='tensor'))
        loss.backward()
        self.student.requires_grad_(True)
        self.opt_g.step()

    def time(self, iters):
        self.iteration()  # warm-up
        times = []
        for _ in range(iters):
            synchronize()
            start = time.perf_counter()
            self.iteration()
            synchronize()
            times.append(time.perf_counter() - start)
        return statistics.median(times)


class WithModule(nn.Module):
    """Gives MMRazor's algorithm the ``generator.module`` DDP would give."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)


def mmrazor_generator_cfg(generator_cfg):
    """MMRazor's own ``DAFLGenerator`` config and its channel count.

    It has no ``out_channels`` option; for grayscale teachers
    :func:`fit_mmrazor_generator` rebuilds its last conv and BN (the
    smallest edit a user would make).
    """
    generator_cfg = dict(generator_cfg)
    out_channels = generator_cfg.pop('out_channels', 3)
    generator_cfg['type'] = 'mmrazor.DAFLGenerator'
    return generator_cfg, out_channels


def fit_mmrazor_generator(generator, out_channels):
    if out_channels != 3:
        blocks = generator.conv_blocks2
        blocks[3] = nn.Conv2d(blocks[3].in_channels, out_channels, 3, 1, 1)
        blocks[5] = nn.BatchNorm2d(out_channels, affine=False)
    # MMRazor reads generator.module.latent_dim (what DDP would give).
    return WithModule(generator)


def generator_label(out_channels):
    return 'mmrazor.DAFLGenerator' + (
        '' if out_channels == 3 else
        f' (last conv and BN rebuilt for {out_channels} channel(s))')


MMRAZOR_AS_SHIPPED = 'MMRazorDataFreeDistillationForBenchmark'
CONTENDERS = ('ours', 'bare', 'mmrazor', 'mmrazor_train_step')


def register_mmrazor_as_shipped():
    """Register MMRazor's algorithm, made runnable, for the runner path."""
    if MMRAZOR_AS_SHIPPED in MODELS.module_dict:
        return
    from mmrazor.models import DataFreeDistillation as Theirs

    class Shipped(Theirs):

        def __init__(self, generator, **kwargs):
            generator, out_channels = mmrazor_generator_cfg(generator)
            for our_switch in ('channels_last', 'compile_cfg'):
                kwargs.pop(our_switch, None)
            super().__init__(generator=generator, **kwargs)
            self.generator = fit_mmrazor_generator(self.generator,
                                                   out_channels)

    MODELS.register_module(name=MMRAZOR_AS_SHIPPED, module=Shipped)


class MMRazorTrainStep:
    """MMRazor 1.0.0's ``train_step`` on an in-memory batch (no runner, no
    data loading: the kindest setting for it)."""

    def __init__(self, cfg):
        from mmcls.structures import ClsDataSample
        from mmengine.optim import OptimWrapper, OptimWrapperDict
        from mmrazor.models import DataFreeDistillation as Theirs
        model_cfg = dict(cfg.model)
        model_cfg.pop('type')
        for our_switch in ('channels_last', 'compile_cfg'):
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
        self.algorithm.train_step(self.data, self.optim)
        times = []
        for _ in range(iters):
            synchronize()
            start = time.perf_counter()
            self.algorithm.train_step(self.data, self.optim)
            synchronize()
            times.append(time.perf_counter() - start)
        return statistics.median(times)


class ThroughRunner:
    """A config through MMEngine's runner, as ``tools/train.py`` runs it
    (logging every iteration, no validation, no checkpoint)."""

    def __init__(self, config, batch, overrides):
        self.config, self.batch, self.overrides = config, batch, overrides

    def time(self, iters):
        return seconds_per_iteration(self.config, iters, self.batch,
                                     self.overrides)


class Ours(ThroughRunner):
    """Our algorithm through MMEngine's runner."""


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


class RssSampler:
    """Peak resident memory of this process while a block runs.

    ``ru_maxrss`` would report the largest RSS ever, which for small models
    is reached while importing libraries. On Linux the kernel's high-water
    mark (``VmHWM``) is reset on entry (``/proc/self/clear_refs``) and read
    on exit: the exact peak of the block. Where that is not possible, VmRSS
    is sampled every few milliseconds instead (may miss short peaks).
    """

    def __init__(self, period=0.002):
        import threading
        self.period, self.peak, self.exact = period, 0.0, False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _status_mb(field):
        with open('/proc/self/status') as file:
            for line in file:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024
        raise KeyError(field)

    @classmethod
    def current_mb(cls):
        try:
            return cls._status_mb('VmRSS')
        except (OSError, KeyError):
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current_mb())
            time.sleep(self.period)

    def __enter__(self):
        try:
            with open('/proc/self/clear_refs', 'w') as file:
                file.write('5')  # reset VmHWM to the current RSS
            self.exact = True
        except OSError:
            self.peak = self.current_mb()
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.exact:
            self.peak = self._status_mb('VmHWM')
            return
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current_mb())


def peak_memory_mb(contender, config, batch, iters, overrides, extra=()):
    """Peak RSS and, on a GPU, peak CUDA memory (else None) of a fresh
    process running only ``contender``."""
    command = [
        sys.executable, __file__, config, '--batch',
        str(batch), '--iters',
        str(iters), '--only', contender, '--repeats', '1',
        *(['--cfg-options', *overrides] if overrides else []), *extra
    ]
    out = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    peaks = dict(line.split()[:2] for line in out.stdout.splitlines()
                 if line.startswith(('PEAK_RSS_MB', 'PEAK_CUDA_MB')))
    if 'PEAK_RSS_MB' in peaks:
        cuda = peaks.get('PEAK_CUDA_MB')
        return float(peaks['PEAK_RSS_MB']), (float(cuda) if cuda else None)
    raise RuntimeError(f'memory probe of {contender} failed: '
                       f'{out.stderr[-1500:]}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', default=None)
    parser.add_argument('--only', choices=CONTENDERS)
    parser.add_argument(
        '--rss-probes',
        type=int,
        default=3,
        help='fresh processes per contender for peak memory; the median is '
        'reported (allocator behaviour varies between processes)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='extra overrides for ours (e.g. teacher path)')
    parser.add_argument(
        '--real-data-config',
        help='a config whose train_dataloader feeds MMRazor through the '
        'runner (it needs real batches); without it MMRazor runs only as '
        'train_step on an in-memory batch')
    parser.add_argument(
        '--fake-cifar10',
        action='store_true',
        help='feed that dataloader random images in CIFAR-10 format '
        '(CIFAR-10 cannot be downloaded offline)')
    parser.add_argument(
        '--variants',
        nargs='+',
        default=[],
        metavar='NAME=KEY=VALUE',
        help='extra runs of ours with one override each, e.g. '
        'channels_last=model.channels_last=True')
    args = parser.parse_args()
    if args.only == 'mmrazor' and not args.real_data_config:
        parser.error('--only mmrazor runs MMRazor through the runner, which '
                     'needs --real-data-config (a config with a real-data '
                     'train_dataloader, e.g. configs/_base_/datasets/'
                     'mnist.py)')
    os.chdir(REPO)
    cfg = load_cfg(args.config, args.batch)
    for option in args.cfg_options:
        key, value = option.split('=', 1)
        cfg.merge_from_dict({key: value})

    makers = dict(
        ours=lambda: Ours(args.config, args.batch, args.cfg_options),
        bare=lambda: Bare(cfg),
        mmrazor=lambda:
        MMRazorRunner(args.config, args.batch, args.cfg_options, args.
                      real_data_config, args.fake_cifar10),
        mmrazor_train_step=lambda: MMRazorTrainStep(cfg))
    for variant in args.variants:
        name, override = variant.split('=', 1)
        makers[f'ours+{name}'] = (lambda override=override: Ours(
            args.config, args.batch, [*args.cfg_options, override]))
    names = [n for n in makers if n != 'mmrazor' or args.real_data_config]
    if args.only:
        # Memory probe: the peak RSS while this contender builds its models
        # and trains (after the libraries are imported).
        if DEVICE == 'cuda':
            torch.cuda.reset_peak_memory_stats()
        with RssSampler() as sampler:
            makers[args.only]().time(args.iters)
        print(f'PEAK_RSS_MB {sampler.peak:.1f}')
        if DEVICE == 'cuda':
            print('PEAK_CUDA_MB '
                  f'{torch.cuda.max_memory_allocated() / 2**20:.1f}')
        print(f'PEAK_RSS_EXACT {int(sampler.exact)}')
        return
    contenders = {name: makers[name]() for name in names}
    samples = {name: [] for name in names}
    for repeat in range(args.repeats):
        for name in names:
            samples[name].append(contenders[name].time(args.iters))
            print(
                f'repeat {repeat}: {name} {samples[name][-1]:.4f} s/iter',
                flush=True)

    s_per_iter = {n: statistics.median(v) for n, v in samples.items()}
    probe_args = [args.config, args.batch, 2, args.cfg_options]
    extra = (['--real-data-config', args.real_data_config]
             if args.real_data_config else []) + (['--fake-cifar10']
                                                  if args.fake_cifar10 else [])
    rss_samples = {n: [] for n in names if n in CONTENDERS}
    cuda_samples = {n: [] for n in rss_samples}
    for _ in range(args.rss_probes):  # interleaved, like the timings
        for n in rss_samples:
            rss_mb, cuda_mb = peak_memory_mb(n, *probe_args, extra)
            rss_samples[n].append(rss_mb)
            cuda_samples[n].append(cuda_mb)
    rss = {n: statistics.median(v) for n, v in rss_samples.items()}
    cuda = {
        n: statistics.median(v) if None not in v else None
        for n, v in cuda_samples.items()
    }
    theirs = 'mmrazor' if 'mmrazor' in names else 'mmrazor_train_step'
    result = dict(
        config=osp.relpath(args.config, REPO),
        batch=args.batch,
        student_iter=cfg.model.student_iter,
        iters_per_repeat=args.iters,
        repeats=args.repeats,
        s_per_iter=s_per_iter,
        samples=samples,
        iters_per_s={n: 1 / v
                     for n, v in s_per_iter.items()},
        ratio_vs_bare=s_per_iter['bare'] / s_per_iter['ours'],
        ratio_vs_mmrazor=s_per_iter[theirs] / s_per_iter['ours'],
        ratio_vs_mmrazor_measured_as=theirs,
        ratio_vs_mmrazor_train_step=s_per_iter['mmrazor_train_step'] /
        s_per_iter['ours'],
        variants_speedup={
            n: s_per_iter['ours'] / s_per_iter[n]
            for n in names if n.startswith('ours+')
        },
        peak_rss_mb=rss,
        peak_rss_mb_samples=rss_samples,
        peak_cuda_mb=cuda if DEVICE == 'cuda' else None,
        peak_rss_method=('kernel high-water mark (VmHWM) reset after '
                         'imports, median of fresh processes'),
        ratio_rss_vs_mmrazor=rss['ours'] / rss[theirs],
        mmrazor_generator=contenders['mmrazor_train_step'].generator_used,
        mmrazor_real_data_config=args.real_data_config,
        fake_cifar10=args.fake_cifar10,
        device=DEVICE,
        machine=f'{os.cpu_count()} CPU cores, {platform.machine()}',
        torch=torch.__version__,
        date=time.strftime('%Y-%m-%d'))
    print(json.dumps(result, indent=2))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as file:
            json.dump(result, file, indent=2)


if __name__ == '__main__':
    main()
