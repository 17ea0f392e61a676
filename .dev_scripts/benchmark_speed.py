# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Seconds per DFAD iteration: ours (MMEngine runner) vs a bare PyTorch loop
vs MMRazor 1.0.0's DataFreeDistillation, same models, batch, student_iter.

    python .dev_scripts/benchmark_speed.py CONFIG [--batch 32]
        [--iters 5] [--repeats 3] [--out results/speed.json]
        [--contenders ours bare ...] [--rss-probes 3]

The contenders run in one process, interleaved (ours, bare, MMRazor; then
bare, MMRazor, ours; ...) so machine noise hits all of them alike and none
always runs first; each measurement is the
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
- ours+NAME (``--variants NAME=KEY=VALUE``): ours with one more override.

MMRazor is made runnable here only: the PyTorch 2.x import compat, a
``.module`` attribute on its generator (what DDP would provide), a labelled
batch for its cross-entropy, and, for grayscale teachers, its generator's
last conv and BN rebuilt with one channel (it has no option for that); its
math is not changed.

Writes: each repeat's time and then the JSON record to stdout; with
``--out FILE`` the record as JSON to FILE (results/speed_mnist.json,
results/speed_cifar10.json and results/speed_mnist_compile.json are written
this way; docs/speed.md shows the commands, update_model_zoo.py renders
them). The runs' own logs go to temporary folders (speed_* and, with
--fake-cifar10, fake_cifar10_* in the system's temporary directory).
``--only NAME`` is the memory probe the comparison starts per contender: it
prints PEAK_RSS_MB (and PEAK_CUDA_MB) lines only.
"""
import argparse
import os
import os.path as osp

# The package next to this script (the script's folder is on the import
# path; the tests put .dev_scripts there: pyproject.toml).
import speed

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(HERE)

CONTENDERS = ('ours', 'bare', 'mmrazor', 'mmrazor_train_step')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', default=None, help='write the JSON here')
    parser.add_argument(
        '--only',
        choices=CONTENDERS,
        help='memory probe: run only this contender and print its peaks')
    parser.add_argument(
        '--contenders',
        nargs='+',
        metavar='NAME',
        help='time only these (default: all; ratios whose contenders did '
        'not run are null)')
    parser.add_argument(
        '--rss-probes',
        type=int,
        default=3,
        help='fresh processes per contender for peak memory; the median is '
        'reported (allocator behaviour varies between processes); 0: none')
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
    args = parser.parse_args(argv)
    if args.only == 'mmrazor' and not args.real_data_config:
        parser.error('--only mmrazor runs MMRazor through the runner, which '
                     'needs --real-data-config (a config with a real-data '
                     'train_dataloader, e.g. configs/_base_/datasets/'
                     'mnist.py)')
    return parser, args


def contender_makers(args, cfg):
    """Name -> a function building that contender, in the timing order."""
    ours, bare = speed.contender_ours, speed.contender_bare
    theirs = speed.contender_mmrazor
    config, batch, overrides = args.config, args.batch, args.cfg_options
    data_config, fake_cifar10 = args.real_data_config, args.fake_cifar10
    makers = dict(
        ours=lambda: ours.Ours(config, batch, overrides),
        bare=lambda: bare.Bare(cfg),
        mmrazor=lambda: theirs.MMRazorRunner(config, batch, overrides,
                                             data_config, fake_cifar10),
        mmrazor_train_step=lambda: theirs.MMRazorTrainStep(cfg))
    if not args.real_data_config:
        del makers['mmrazor']
    makers.update(ours.variant_makers(config, batch, overrides, args.variants))
    return makers


def main(argv=None):
    parser, args = parse_args(argv)
    os.chdir(REPO)
    cfg = speed.common.load_cfg(args.config, args.batch, args.cfg_options)
    makers = contender_makers(args, cfg)
    if args.only:
        speed.measure.probe_this_process(makers[args.only], args.iters)
        return None
    names = args.contenders or list(makers)
    unknown = sorted(set(names) - set(makers))
    if unknown:
        parser.error(f'unknown contenders {unknown}; known: {list(makers)}')
    contenders = {name: makers[name]() for name in names}
    samples = speed.measure.interleaved(contenders, args.repeats, args.iters,
                                        speed.report.print_sample)
    extra = (['--real-data-config', args.real_data_config]
             if args.real_data_config else []) + (['--fake-cifar10']
                                                  if args.fake_cifar10 else [])
    rss_samples, cuda_samples = speed.measure.memory_probes(
        [n for n in names if n in CONTENDERS],
        args.rss_probes,
        script=osp.abspath(__file__),
        config=args.config,
        batch=args.batch,
        iters=2,
        overrides=args.cfg_options,
        extra=extra,
        cwd=REPO)
    result = speed.report.record(
        config=osp.relpath(args.config, REPO),
        batch=args.batch,
        student_iter=cfg.model.student_iter,
        iters=args.iters,
        repeats=args.repeats,
        samples=samples,
        rss_samples=rss_samples,
        cuda_samples=cuda_samples,
        generator_used=speed.contender_mmrazor.generator_label(
            cfg.model.generator.get('out_channels', 3)),
        real_data_config=args.real_data_config,
        fake_cifar10=args.fake_cifar10,
        device=speed.common.DEVICE)
    variant_options = {
        f"ours+{variant.split('=', 1)[0]}": [variant.split('=', 1)[1]]
        for variant in args.variants
    }
    speed.report.write_record(result, args.out, variant_options)
    return result


if __name__ == '__main__':
    main()
