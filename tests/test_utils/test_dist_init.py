# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import pytest
import torch

from mmrazor_dfad.utils import init_cpu_distributed

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason='CPU-only start-up path')


def test_single_process_needs_nothing():
    assert init_cpu_distributed('none') is False


def test_pytorch_launcher_without_torchrun_says_how(monkeypatch):
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match='start the script with torchrun'):
        init_cpu_distributed('pytorch')


def test_slurm_without_gpu_is_refused_clearly():
    with pytest.raises(RuntimeError, match='--launcher pytorch with torchrun'):
        init_cpu_distributed('slurm')
