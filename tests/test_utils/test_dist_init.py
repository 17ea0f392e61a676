# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The CPU start-up path of distributed runs, on any machine: where there is
a GPU, the tests of the CPU path hide it."""
import pytest
import torch

from mmrazor_dfad.utils import init_cpu_distributed


@pytest.fixture
def no_gpu(monkeypatch):
    """A machine without CUDA, as ``init_cpu_distributed`` sees it."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 0)


def test_single_process_needs_nothing(no_gpu):
    assert init_cpu_distributed('none') is False


def test_pytorch_launcher_without_torchrun_says_how(monkeypatch, no_gpu):
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match='start the script with torchrun'):
        init_cpu_distributed('pytorch')


def test_slurm_without_gpu_is_refused_clearly(no_gpu):
    with pytest.raises(RuntimeError, match='--launcher pytorch with torchrun'):
        init_cpu_distributed('slurm')


@pytest.mark.parametrize('launcher', ['pytorch', 'slurm'])
def test_with_a_gpu_mmengine_starts_the_group(monkeypatch, launcher):
    # With CUDA the CPU path stays out of the way (MMEngine starts nccl),
    # even where torchrun's variables are missing.
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    assert init_cpu_distributed(launcher) is False
    assert not torch.distributed.is_initialized()
