# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Keep only the weights of a checkpoint (for committing / releasing).

    python tools/model_converters/publish_model.py IN.pth OUT.pth

Drops optimizer states and the message hub, writes ``OUT.pth`` and prints its
sha256 (add it to ``checkpoints/SHA256SUMS``).
"""
import argparse
import hashlib

import torch
from mmengine.runner import CheckpointLoader

import mmrazor_dfad  # noqa: F401
from mmrazor_dfad.utils import checkpoint_safe_globals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint')
    parser.add_argument('out')
    args = parser.parse_args()
    with checkpoint_safe_globals():
        ckpt = CheckpointLoader.load_checkpoint(
            args.checkpoint, map_location='cpu')
    meta = ckpt.get('meta', {})
    kept_meta = {
        key: meta[key]
        for key in ('epoch', 'iter', 'seed', 'mmengine_version',
                    'dataset_meta') if key in meta
    }
    torch.save(dict(state_dict=ckpt['state_dict'], meta=kept_meta), args.out)
    with open(args.out, 'rb') as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    print(f'{digest}  {args.out}')


if __name__ == '__main__':
    main()
