# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The printed lines and the record of a speed comparison.

:func:`record` summarises the measurement (printed as JSON: medians and
ratios; a ratio whose contenders did not run, ``--contenders``, or a peak
that was not probed, ``--rss-probes 0``, is ``null``). :func:`write_record`
is the one place a ``results/speed_*.json`` file is written, as the shared
results schema (``.dev_scripts/run_records``): one ``SpeedRecord``
per contender; the ratios are derived from them, not stored.
"""
import json
import os
import platform
import statistics
import sys
import time

import torch

from run_records import ResultsFile, SpeedRecord, dump_results, provenance

RSS_METHOD = ('kernel high-water mark (VmHWM) reset after imports, median '
              'of fresh processes')


def print_sample(repeat, name, seconds):
    print(f'repeat {repeat}: {name} {seconds:.4f} s/iter', flush=True)


def _ratio(numerators, numerator, denominators, denominator):
    """``numerators[numerator] / denominators[denominator]``, or None when
    either is missing."""
    top = numerators.get(numerator)
    bottom = denominators.get(denominator)
    return None if top is None or bottom is None else top / bottom


def record(*, config, batch, student_iter, iters, repeats, samples,
           rss_samples, cuda_samples, generator_used, real_data_config,
           fake_cifar10, device):
    """The JSON record (a dict) of one comparison: ``samples`` maps each
    timed contender to its s/iter per repeat, ``rss_samples`` and
    ``cuda_samples`` each probed one to its peaks (MB) per process."""
    s_per_iter = {n: statistics.median(v) for n, v in samples.items()}
    rss = {
        n: statistics.median(v) if v else None
        for n, v in rss_samples.items()
    }
    cuda = {
        n: statistics.median(v) if v and None not in v else None
        for n, v in cuda_samples.items()
    }
    theirs = 'mmrazor' if 'mmrazor' in s_per_iter else 'mmrazor_train_step'
    rss_theirs = 'mmrazor' if 'mmrazor' in rss else 'mmrazor_train_step'
    return dict(
        config=config,
        batch=batch,
        student_iter=student_iter,
        iters_per_repeat=iters,
        repeats=repeats,
        s_per_iter=s_per_iter,
        samples=samples,
        iters_per_s={n: 1 / v
                     for n, v in s_per_iter.items()},
        ratio_vs_bare=_ratio(s_per_iter, 'bare', s_per_iter, 'ours'),
        ratio_vs_mmrazor=_ratio(s_per_iter, theirs, s_per_iter, 'ours'),
        ratio_vs_mmrazor_measured_as=theirs,
        ratio_vs_mmrazor_train_step=_ratio(s_per_iter, 'mmrazor_train_step',
                                           s_per_iter, 'ours'),
        variants_speedup={
            n: _ratio(s_per_iter, 'ours', s_per_iter, n)
            for n in s_per_iter if n.startswith('ours+')
        },
        peak_rss_mb=rss,
        peak_rss_mb_samples=rss_samples,
        peak_cuda_mb=cuda if device == 'cuda' else None,
        peak_rss_method=RSS_METHOD,
        ratio_rss_vs_mmrazor=_ratio(rss, 'ours', rss, rss_theirs),
        mmrazor_generator=generator_used,
        mmrazor_real_data_config=real_data_config,
        fake_cifar10=fake_cifar10,
        device=device,
        machine=f'{os.cpu_count()} CPU cores, {platform.machine()}',
        torch=torch.__version__,
        date=time.strftime('%Y-%m-%d'))


# The file-level facts of a record (the rest is per contender or derived).
_HEADER_KEYS = ('batch', 'student_iter', 'iters_per_repeat', 'repeats',
                'peak_rss_method', 'mmrazor_generator',
                'mmrazor_real_data_config', 'fake_cifar10', 'device', 'torch',
                'ratio_vs_mmrazor_measured_as')


def results_file(result, name, variant_options=None):
    """The record as a :class:`ResultsFile` of the results schema.

    Args:
        result (dict): What :func:`record` returned.
        name (str): The file's stem, e.g. ``'speed_mnist'``.
        variant_options (dict, optional): ``{contender: [KEY=VALUE]}`` of
            the ``ours+NAME`` variants.

    Returns:
        ResultsFile: One ``SpeedRecord`` per timed contender.
    """
    variant_options = variant_options or {}
    cuda = result.get('peak_cuda_mb') or {}
    records = []
    for contender, samples in result['samples'].items():
        extra = {}
        if cuda.get(contender) is not None:
            extra['peak_cuda_mb'] = cuda[contender]
        records.append(
            SpeedRecord(
                contender=contender,
                config=result['config'],
                cfg_options=list(variant_options.get(contender, [])),
                **provenance(machine=result['machine']),
                date=result['date'],
                command=' '.join(['python'] + sys.argv),
                s_per_iter=result['s_per_iter'][contender],
                s_per_iter_samples=list(samples),
                peak_rss_mb=result['peak_rss_mb'].get(contender),
                peak_rss_mb_samples=list(
                    result['peak_rss_mb_samples'].get(contender) or []),
                extra=extra))
    return ResultsFile(
        name=name,
        description=(
            'Seconds per iteration (median of repeats) and peak memory of '
            'the contenders; written by .dev_scripts/benchmark_speed.py.'),
        speed=records,
        extra={key: result[key]
               for key in _HEADER_KEYS if key in result})


def write_record(result, out=None, variant_options=None):
    """Print the summary as JSON and, with ``out``, write the record there
    in the results schema."""
    print(json.dumps(result, indent=2))
    if out:
        name = os.path.splitext(os.path.basename(out))[0]
        dump_results(results_file(result, name, variant_options), out)
