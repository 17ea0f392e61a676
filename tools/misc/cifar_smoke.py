# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Run the real CIFAR-10 DFAD config for a few iterations on the CPU.

CIFAR-10 and the ResNet-34 teacher cannot be downloaded on an offline
machine, so this makes a random CIFAR-format folder and a random ResNet-34
teacher, then trains the unchanged config through ``tools/train.py`` with
small overrides (batch, iterations, paths). It proves the pipeline runs; the
accuracy it prints is meaningless (random teacher, random test images).

    python tools/misc/cifar_smoke.py [--work-dir DIR] [--iters 2] [--batch 4]
"""
import argparse
import os.path as osp
import time

from mmrazor_dfad.apis import train_main
from mmrazor_dfad.testing import (accept_fake_cifar10, save_random_classifier,
                                  write_fake_cifar10)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'dfad',
                  'dfad_logits_resnet34_resnet18_8xb32_cifar10.py')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/cifar_smoke')
    parser.add_argument('--iters', type=int, default=2)
    parser.add_argument('--batch', type=int, default=4)
    args = parser.parse_args()

    data_root = write_fake_cifar10(osp.join(args.work_dir, 'fake_cifar10'))
    teacher = save_random_classifier(
        'mmcls::resnet/resnet34_8xb16_cifar10.py',
        osp.join(args.work_dir, 'random_resnet34.pth'))
    overrides = [
        f'model.teachers.res34.ckpt_path={teacher}',
        f'train_dataloader.batch_size={args.batch}',
        f'train_cfg.max_iters={args.iters}',
        f'train_cfg.val_interval={args.iters}',
        f'val_dataloader.dataset.data_prefix={data_root}',
        'val_dataloader.num_workers=0',
        f'test_dataloader.dataset.data_prefix={data_root}',
        'test_dataloader.num_workers=0',
        'default_hooks.logger.interval=1',
        f'default_hooks.checkpoint.interval={args.iters}',
    ]
    start = time.time()
    with accept_fake_cifar10():
        train_main(
            [CONFIG, '--work-dir', args.work_dir, '--cfg-options', *overrides])
    print(f'CIFAR smoke: {args.iters} iterations of {osp.relpath(CONFIG)} '
          f'at batch {args.batch} on the CPU in {time.time() - start:.1f} s '
          f'(random teacher and images: accuracy is meaningless). '
          f'Work dir: {args.work_dir}')


if __name__ == '__main__':
    main()
