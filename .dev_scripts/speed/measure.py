# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Interleaved timing, and peak memory of one contender per fresh process.

Timing: the contenders run in one process, interleaved (ours, bare,
MMRazor; then bare, MMRazor, ours; ...) so machine noise hits all of them
alike and none always runs first. Memory: a
fresh process runs only one contender (``--only NAME``) and prints its
peaks as ``PEAK_RSS_MB``/``PEAK_CUDA_MB``/``PEAK_RSS_EXACT`` lines, which
the parent reads.
"""
import resource
import subprocess
import sys
import threading
import time

import torch

from .common import DEVICE


def rotated_order(names, repeat):
    """The contenders' order in repeat ``repeat``: the list rotated by one
    place per repeat, so no contender always runs first (the first timing
    after another contender's run is the noisiest)."""
    shift = repeat % len(names) if names else 0
    return [*names[shift:], *names[:shift]]


def interleaved(contenders, repeats, iters, on_sample=None):
    """``{name: [s/iter per repeat]}``; each repeat times every contender
    in turn, in :func:`rotated_order` (``contenders``: name -> object with
    ``time(iters)``)."""
    samples = {name: [] for name in contenders}
    for repeat in range(repeats):
        for name in rotated_order(list(contenders), repeat):
            samples[name].append(contenders[name].time(iters))
            if on_sample:
                on_sample(repeat, name, samples[name][-1])
    return samples


class RssSampler:
    """Peak resident memory of this process while a block runs.

    ``ru_maxrss`` would report the largest RSS ever, which for small models
    is reached while importing libraries. On Linux the kernel's high-water
    mark (``VmHWM``) is reset on entry (``/proc/self/clear_refs``) and read
    on exit: the exact peak of the block. Where that is not possible, VmRSS
    is sampled every few milliseconds instead (may miss short peaks).
    """

    def __init__(self, period=0.002):
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


def probe_this_process(make_contender, iters):
    """Build and time one contender here; print its peaks for the parent
    (the peak RSS after the libraries are imported)."""
    if DEVICE == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    with RssSampler() as sampler:
        make_contender().time(iters)
    print(f'PEAK_RSS_MB {sampler.peak:.1f}')
    if DEVICE == 'cuda':
        print(f'PEAK_CUDA_MB {torch.cuda.max_memory_allocated() / 2**20:.1f}')
    print(f'PEAK_RSS_EXACT {int(sampler.exact)}')


def peak_memory_mb(script, contender, config, batch, iters, overrides, extra,
                   cwd):
    """Peak RSS and, on a GPU, peak CUDA memory (else None) of a fresh
    process of ``script --only contender``."""
    command = [
        sys.executable, script, config, '--batch',
        str(batch), '--iters',
        str(iters), '--only', contender, '--repeats', '1',
        *(['--cfg-options', *overrides] if overrides else []), *extra
    ]
    out = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    peaks = dict(line.split()[:2] for line in out.stdout.splitlines()
                 if line.startswith(('PEAK_RSS_MB', 'PEAK_CUDA_MB')))
    if 'PEAK_RSS_MB' in peaks:
        cuda = peaks.get('PEAK_CUDA_MB')
        return float(peaks['PEAK_RSS_MB']), (float(cuda) if cuda else None)
    raise RuntimeError(f'memory probe of {contender} failed: '
                       f'{out.stderr[-1500:]}')


def memory_probes(names, probes, **probe_kwargs):
    """``({name: [peak RSS MB]}, {name: [peak CUDA MB or None]})`` over
    ``probes`` fresh processes per contender, interleaved like the
    timings (``probe_kwargs``: the rest of :func:`peak_memory_mb`)."""
    rss = {name: [] for name in names}
    cuda = {name: [] for name in names}
    for _ in range(probes):
        for name in names:
            rss_mb, cuda_mb = peak_memory_mb(contender=name, **probe_kwargs)
            rss[name].append(rss_mb)
            cuda[name].append(cuda_mb)
    return rss, cuda
