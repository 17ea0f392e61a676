# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""MMRazor's own DFAD, DAFL and ZSKT configs train offline with the README's
command: no network, no CIFAR-10 folder, a local teacher checkpoint."""
import os.path as osp
import re

import pytest

from mmrazor_dfad.testing._internal.mmrazor_reference import MMRAZOR_CONFIGS
from mmrazor_dfad.testing._internal.offline import network_disabled
from mmrazor_dfad.testing._internal.tool_runs import read_scalars, run_train

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def readme_command():
    """The README's ``tools/train.py`` command for MMRazor's configs: the
    config path (under ``$MMRAZOR_CONFIGS``) and its ``--cfg-options``."""
    readme = open(osp.join(REPO_ROOT, 'README.md')).read()
    found = re.search(
        r'python tools/train.py \$MMRAZOR_CONFIGS/dfad/(\S+) \\\n'
        r'\s+--cfg-options (.*?)\n', readme)
    assert found, 'the README gives no command for MMRazor\'s DFAD config'
    return found.group(1), found.group(2).split()


@pytest.mark.integration
def test_mmrazor_dfad_dafl_zskt_configs_train_offline_with_the_readme_command(
        random_resnet34_ckpt, tmp_path, monkeypatch):
    import mmrazor
    configs = osp.join(
        osp.dirname(mmrazor.__file__), '.mim', 'configs', 'distill', 'mmcls')
    dfad_name, options = readme_command()
    assert osp.join('dfad', dfad_name) in MMRAZOR_CONFIGS['dfad']
    assert 'model._scope_=mmrazor_dfad' in options
    # The README's teacher file is the test's random ResNet-34.
    options = [
        f'model.teachers.res34.ckpt_path={random_resnet34_ckpt}'
        if option.startswith('model.teachers.res34.ckpt_path=') else option
        for option in options
    ]
    # No cached model-zoo weights and no data/cifar10 to fall back on.
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'empty_torch_home'))
    monkeypatch.chdir(tmp_path)
    # Cheap: 2 iterations of 2 images of 16 x 16 (the ResNets pool
    # globally), 2 student updates (DAFL makes one); DAFL's warm-up cut to
    # one iteration.
    cheap = [
        'train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
        'model.generator.img_size=16', 'default_hooks.logger.interval=1'
    ]
    extra = {
        'dfad': ['model.student_iter=2'],
        'zskt': ['model.student_iter=2'],
        'dafl': [
            'param_scheduler.architecture.0.end=1',
            'param_scheduler.architecture.1.begin=1',
            'param_scheduler.generator.end=1'
        ]
    }
    for name, algorithm in (('dfad', 'DataFreeDistillation'),
                            ('dafl', 'DAFLDataFreeDistillation'),
                            ('zskt', 'DataFreeDistillation')):
        config = osp.join(configs, MMRAZOR_CONFIGS[name].split('mmcls/')[-1])
        work_dir = tmp_path / name
        with network_disabled() as attempts:
            runner = run_train([
                config, '--work-dir',
                str(work_dir), '--cfg-options', *options, *cheap,
                *extra.get(name, [])
            ],
                               cwd=str(tmp_path))
        assert attempts == [], name  # nothing tried to download
        assert type(runner.model).__name__ == algorithm, name
        assert type(runner.model).__module__.startswith('mmrazor_dfad.')
        assert runner.iter == 2, name
        assert [
            row['iter'] for row in read_scalars(str(work_dir))
            if 'distill.loss' in row
        ] == [1, 2], name
        log = open(next(work_dir.glob('*/*.log'))).read()
        assert "Teacher 'res34': not downloading its pretrained weights " \
            '(build_cfg.pretrained=True)' in log, name
        assert 'train_dataloader: CIFAR10 replaced by DataFreeDataset ' \
            '(batch_size 2 kept' in log, name
        assert not (tmp_path / 'data').exists()
