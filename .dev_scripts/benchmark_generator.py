# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Seconds per generator update and peak memory of DAFLGenerator at the
image sizes of segmentation (64, 128, 256 px; ``upsample_stages='auto'``).

    python .dev_scripts/benchmark_generator.py [--batch 64]
        [--sizes 64 128 256] [--repeats 3]
        [--out results/generator_sizes.json]

One update is a forward of ``batch`` images, a loss on them and the
backward (the generator's own share of a DFAD generator update; teacher
and student come on top). Each size runs in a fresh process, so its peak
resident memory (the kernel's high-water mark after the imports) is its
own; on a GPU the peak CUDA memory is reported too. Prints one line per
size and writes one SpeedRecord per size (contender ``DAFLGenerator@<size>``)
to ``--out`` in the results schema (``.dev_scripts/run_records``).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

LATENT_DIM = 256
HIDDEN_CHANNELS = 128


def _peak_rss_mb() -> float:
    with open('/proc/self/status') as file:
        for line in file:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def _reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets VmHWM (Linux).
    try:
        with open('/proc/self/clear_refs', 'w') as file:
            file.write('5')
    except OSError:
        pass


def measure(size: int, batch: int, repeats: int) -> dict:
    """Time ``repeats`` updates after one warm-up, in this process."""
    import torch

    from mmrazor_dfad.models.generators import DAFLGenerator
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    _reset_peak_rss()
    generator = DAFLGenerator(
        img_size=size,
        latent_dim=LATENT_DIM,
        hidden_channels=HIDDEN_CHANNELS,
        upsample_stages='auto').to(device)
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3)

    def update():
        images = generator(batch_size=batch)
        loss = images.abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if device == 'cuda':
            torch.cuda.synchronize()

    update()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        update()
        samples.append(time.perf_counter() - start)
    result = dict(
        size=size,
        upsample_stages=generator.upsample_stages,
        samples=samples,
        peak_rss_mb=_peak_rss_mb(),
        device=device,
        threads=torch.get_num_threads())
    if device == 'cuda':
        result['peak_cuda_mb'] = torch.cuda.max_memory_allocated() / 2**20
    return result


def main(argv=None) -> None:
    """Measure each size in a fresh process and record them."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--sizes', type=int, nargs='+', default=[64, 128, 256])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', default=None, help='results file (JSON)')
    parser.add_argument('--probe', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe is not None:
        print(json.dumps(measure(args.probe, args.batch, args.repeats)))
        return
    from run_records import (SpeedRecord, dump_results, load_or_create,
                             provenance)
    records = []
    for size in args.sizes:
        output = subprocess.run([
            sys.executable,
            os.path.abspath(__file__), '--probe',
            str(size), '--batch',
            str(args.batch), '--repeats',
            str(args.repeats)
        ],
                                check=True,
                                capture_output=True,
                                text=True).stdout
        probe = json.loads(output.strip().splitlines()[-1])
        median = statistics.median(probe['samples'])
        print(f'{size} px ({probe["upsample_stages"]} stages), batch '
              f'{args.batch}: {median:.3f} s/update, peak RSS '
              f'{probe["peak_rss_mb"]:.0f} MB' +
              (f', peak CUDA {probe["peak_cuda_mb"]:.0f} MB'
               if 'peak_cuda_mb' in probe else ''))
        extra = dict(
            img_size=size,
            upsample_stages=probe['upsample_stages'],
            batch=args.batch,
            latent_dim=LATENT_DIM,
            hidden_channels=HIDDEN_CHANNELS,
            device=probe['device'])
        if 'peak_cuda_mb' in probe:
            extra['peak_cuda_mb'] = probe['peak_cuda_mb']
        records.append(
            SpeedRecord(
                contender=f'DAFLGenerator@{size}',
                description='forward, loss and backward of one update',
                **provenance(probe['threads']),
                date=time.strftime('%Y-%m-%d'),
                command=' '.join(['python'] + sys.argv),
                s_per_iter=median,
                s_per_iter_samples=probe['samples'],
                peak_rss_mb=probe['peak_rss_mb'],
                peak_rss_mb_samples=[probe['peak_rss_mb']],
                extra=extra))
    if args.out:
        results = load_or_create(
            args.out,
            description='Seconds per generator update and peak memory of '
            'DAFLGenerator at segmentation image sizes; written by '
            '.dev_scripts/benchmark_generator.py.')
        results.speed = records
        dump_results(results, args.out)


if __name__ == '__main__':
    main()
