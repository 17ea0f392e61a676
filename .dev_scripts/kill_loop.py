# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Kill a training at random moments, resume it each time, compare the end.

    python .dev_scripts/kill_loop.py [--kills 20]
        [--out results/kill_loop.json]

The shipped MNIST DFAD config, shrunk (batch 64, a checkpoint every
iteration, ``max_keep_ckpts=1``, no validation), is started with
``--resume-if-any``; once it logs its first iteration it is killed after a
random 0-3 s with SIGKILL, SIGTERM or SIGINT, over and over. After each
kill the work dir is inspected (complete checkpoints, leftover temporary
files). Finally it is resumed up to 10 iterations past its newest
checkpoint, and its student compared with an uninterrupted run of as many
iterations with the same seed (the learning-rate schedules do not depend on
``max_iters``). Prints a summary and writes it as the one run record of
``results/kill_loop.json`` (counts and events in its ``extra``; see
``.dev_scripts/run_records``).
"""
import argparse
import glob
import json
import os
import os.path as osp
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import torch

from mmrazor_dfad.utils import checkpoint_file_problem
from run_records import ResultsFile, RunRecord, dump_results, provenance

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                  'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
OPTIONS = [
    'train_dataloader.batch_size=64', 'val_cfg=None', 'val_dataloader=None',
    'val_evaluator=None', 'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=1',
    'default_hooks.logger.interval=1', 'randomness.seed=5', 'custom_hooks=[]'
]
SIGNALS = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]


def command(work_dir: str, max_iters: int) -> list:
    return [
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'), CONFIG, '--work-dir',
        work_dir, '--resume-if-any', '--cfg-options', *OPTIONS,
        f'train_cfg.max_iters={max_iters}'
    ]


def newest_step(names: list) -> int:
    return max((int(n[len('iter_'):-len('.pth')]) for n in names), default=0)


def complete(work_dir: str) -> list:
    return sorted(
        osp.basename(p) for p in glob.glob(osp.join(work_dir, 'iter_*.pth'))
        if checkpoint_file_problem(p) is None)


def student(path: str) -> dict:
    state = torch.load(path, weights_only=False)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('architecture.')}


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Kill a shrunk MNIST DFAD training at random moments, '
        'resume it each time, and compare its final student with an '
        'uninterrupted run; records the counts and every kill as a run '
        'record in --out (default results/kill_loop.json).')
    parser.add_argument('--kills', type=int, default=20)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default='results/kill_loop.json')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = tempfile.mkdtemp(prefix='kill_loop_')
    reference, work_dir = osp.join(root, 'reference'), osp.join(root, 'run')

    events = []
    for number in range(args.kills):
        process = subprocess.Popen(
            command(work_dir, 1_000_000),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED='1'),
            # A shell's background jobs ignore SIGINT, and children inherit
            # that; a training started by hand would get Ctrl-C.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        for line in process.stdout:  # wait for training to be under way
            if 'Iter(train)' in line:
                break
        delay = rng.uniform(0.0, 3.0)
        sig = rng.choice(SIGNALS)
        time.sleep(delay)
        finished = process.poll() is not None
        if not finished:
            process.send_signal(sig)
        process.stdout.close()
        try:
            process.wait(timeout=120)
            survived = False
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            survived = True
        leftovers = glob.glob(osp.join(work_dir, '.*.tmp'))
        kept = complete(work_dir)
        events.append(
            dict(
                kill=number + 1,
                signal=sig.name,
                delay_s=round(delay, 2),
                finished_before_kill=finished,
                ran_on_after_the_signal=survived,
                complete_checkpoints=kept,
                temporary_files_left=len(leftovers)))
        print(events[-1], flush=True)
        if finished:
            break

    end = newest_step(complete(work_dir)) + 10
    final = subprocess.run(
        command(work_dir, end), capture_output=True, text=True)
    subprocess.run(command(reference, end), check=True, capture_output=True)
    expected = student(osp.join(reference, f'iter_{end}.pth'))
    actual = student(osp.join(work_dir, f'iter_{end}.pth'))
    equal = all(torch.equal(expected[k], actual[k]) for k in expected)
    after_first_save = [
        e for e in events
        if e['complete_checkpoints'] or e['temporary_files_left']
    ]
    summary = dict(
        kills=len(events),
        signals={
            s.name: sum(e['signal'] == s.name for e in events)
            for s in SIGNALS
        },
        kills_leaving_no_complete_checkpoint_after_the_first_save=sum(
            not e['complete_checkpoints'] for e in after_first_save),
        kills_the_run_survived=sum(e['ran_on_after_the_signal']
                                   for e in events),
        kills_leaving_a_temporary_file=sum(e['temporary_files_left'] > 0
                                           for e in events),
        iterations_compared=end,
        final_resume_returncode=final.returncode,
        temporary_files_after_final_resume=len(
            glob.glob(osp.join(work_dir, '.*.tmp'))),
        final_student_equal_to_uninterrupted=equal)
    print(json.dumps(summary, indent=2))
    record = RunRecord(
        variant='kill-loop',
        description='the MNIST DFAD config shrunk (batch 64, a checkpoint '
        'every iteration, no validation), started with --resume-if-any and '
        'killed over and over',
        config=osp.relpath(CONFIG, REPO_ROOT),
        cfg_options=OPTIONS,
        **provenance(),
        date=time.strftime('%Y-%m-%d'),
        command='python .dev_scripts/kill_loop.py '
        f'--kills {args.kills} --seed {args.seed}',
        extra=dict(summary, events=events))
    dump_results(
        ResultsFile(
            name=osp.splitext(osp.basename(args.out))[0],
            description='A training killed at random moments (SIGKILL, '
            'SIGTERM, SIGINT) and resumed each time, then compared with an '
            'uninterrupted run. Written by .dev_scripts/kill_loop.py.',
            dataset='MNIST',
            runs=[record]), args.out)
    shutil.rmtree(root)


if __name__ == '__main__':
    main()
