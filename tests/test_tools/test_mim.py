# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""``mim train mmrazor_dfad CONFIG`` finds the packaged config and tool."""
import os.path as osp
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.e2e
def test_mim_train_finds_config_and_tool(tmp_path):
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    work_dir = tmp_path / 'work'
    teacher = osp.join(REPO_ROOT, 'checkpoints', 'lenet5_mnist.pth')
    result = subprocess.run([
        mim, 'train', 'mmrazor_dfad',
        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py', '--gpus', '0',
        '--work-dir',
        str(work_dir), '--cfg-options',
        f'model.teachers.lenet5.ckpt_path={teacher}',
        'train_dataloader.batch_size=2', 'train_cfg.max_iters=1',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        'custom_hooks=[]'
    ],
                            cwd=str(tmp_path),
                            capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert '.mim/tools/train.py' in result.stdout
    assert (work_dir / 'iter_1.pth').is_file()
