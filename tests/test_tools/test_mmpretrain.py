# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""MMPretrain as the classification library: its configs, with MMCls
absent, and MMCls and MMPretrain models side by side."""
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine import Config, DefaultScope

from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing import write_fake_mnist

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MNIST_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'mmpretrain',
    'dfad_logits_mmpretrain-lenet5_mmpretrain-lenet5half'
    '_1xb256_mnist.py')

# Train (with validation), test and export in one process that cannot
# import MMCls, then test the exported student.
WITHOUT_MMCLS = '''
import sys
from mmrazor_dfad.apis import export, test, train
from mmrazor_dfad.testing._internal.tool_runs import unformatted_configs
config, data_root, work_dir = sys.argv[1:4]
test_options = [f'test_dataloader.dataset.data_root={data_root}',
                'test_dataloader.batch_size=8']
options = ['--cfg-options',
           f'val_dataloader.dataset.data_root={data_root}/val',
           'val_dataloader.batch_size=4', *test_options]
with unformatted_configs():  # as in this process (conftest.py)
    train.main([config, '--work-dir', work_dir, *options,
                'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                'train_dataloader.batch_size=8',
                'default_hooks.logger.interval=1'])
    print('TEST', test.main([config, work_dir + '/iter_2.pth', '--work-dir',
                             work_dir + '/test', *options]))
    export.main([config, work_dir + '/iter_2.pth',
                 work_dir + '/student.pth'])
    print('EXPORTED', test.main([work_dir + '/student.py',
                                 work_dir + '/student.pth', '--work-dir',
                                 work_dir + '/test_student', '--cfg-options',
                                 *test_options]))
print('MMCLS LOADED', any(name.split('.')[0] == 'mmcls'
                          for name in sys.modules))
try:
    import mmcls
except ImportError as error:
    print('IMPORT', error)
'''


@pytest.fixture(scope='module')
def without_mmcls(tmp_path_factory):
    """The driver above, run in a process where MMCls is hidden."""
    tmp_path = tmp_path_factory.mktemp('without_mmcls')
    data_root = write_fake_mnist(str(tmp_path / 'mnist'))
    driver = tmp_path / 'driver.py'
    driver.write_text(WITHOUT_MMCLS)
    return subprocess.run([
        sys.executable, '-m', 'mmrazor_dfad.testing._internal.without_mmcls',
        str(driver), MNIST_CONFIG, data_root,
        str(tmp_path / 'work')
    ],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=600)


@pytest.mark.integration
def test_mmpretrain_config_trains_tests_and_exports_without_mmcls(
        without_mmcls):
    result = without_mmcls
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    lines = {
        line.split(' ', 1)[0]: line
        for line in result.stdout.splitlines()
        if line.startswith(('TEST', 'EXPORTED', 'MMCLS', 'IMPORT'))
    }
    assert "'accuracy/top1'" in lines['TEST']
    assert "'teacher_student/agreement'" in lines['TEST']
    assert "'accuracy/top1'" in lines['EXPORTED']
    assert lines['MMCLS'] == 'MMCLS LOADED False'
    # Validation saw the 8 fake validation images of data_root/val, 4 a
    # batch (MMPretrain's MNIST picks the files by test_mode), and the
    # teacher was checked on them; the test, the 16 test images, 8 a batch.
    assert 'Iter(val) [2/2]' in output
    assert 'Iter(test) [2/2]' in output
    assert 'real-data teacher check' not in output


@pytest.mark.integration
def test_without_mmcls_hides_mmcls(without_mmcls):
    assert without_mmcls.returncode == 0, without_mmcls.stderr[-3000:]
    imports = [
        line for line in without_mmcls.stdout.splitlines()
        if line.startswith('IMPORT')
    ]
    assert len(imports) == 1
    assert 'hidden by mmrazor_dfad.testing._internal.without_mmcls' in imports[
        0]


def test_mmcls_teacher_with_mmpretrain_student(tmp_path):
    # Mixed libraries work: the logits are compared as tensors, and the
    # predictions are packed into the validation set's own data samples.
    cfg = Config.fromfile(MNIST_CONFIG)
    mmcls_teacher = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'models', 'lenet5.py')).lenet5
    cfg.model.teachers.lenet5.build_cfg = mmcls_teacher
    # As in the runner: the config's default scope resolves the backbone
    # that either library's classifier builds.
    with DefaultScope.overwrite_default_scope('mmrazor_dfad'):
        algorithm = MODELS.build(cfg.model)
    assert type(algorithm.teachers['lenet5']).__module__.startswith('mmcls')
    assert type(algorithm.student).__module__.startswith('mmpretrain')
    from mmengine.optim import OptimWrapper

    from mmrazor_dfad.engine import AlternatingOptimWrapper
    optim = AlternatingOptimWrapper(
        architecture=OptimWrapper(
            torch.optim.SGD(algorithm.student.parameters(), lr=0.01)),
        generator=OptimWrapper(
            torch.optim.Adam(algorithm.generator.parameters(), lr=1e-3)))
    log_vars = algorithm.train_step(dict(inputs=[0] * 4), optim)
    assert log_vars['distill.loss'] > 0

    from mmpretrain.structures import DataSample
    samples = [DataSample().set_gt_label(i) for i in range(3)]
    batch = dict(
        inputs=[torch.zeros(1, 32, 32, dtype=torch.uint8)] * 3,
        data_samples=samples)
    predictions = algorithm.val_step(batch)
    assert predictions[0] is samples[0]
    assert predictions[0].pred_score.shape == (10, )
    assert predictions[0].teacher_logits.shape == (10, )


@pytest.mark.integration
def test_mmpretrain_cifar_config_trains_and_validates(fake_cifar10,
                                                      random_resnet34_ckpt,
                                                      tmp_path):
    from mmrazor_dfad.testing._internal.tool_runs import run_train
    runner = run_train([
        osp.join(
            REPO_ROOT, 'configs', 'mmpretrain',
            'dfad_logits_mmpretrain-resnet34_mmpretrain-resnet18'
            '_8xb32_cifar10.py'), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options',
        f'model.teachers.res34.ckpt_path={random_resnet34_ckpt}',
        'train_dataloader.batch_size=4', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'model.student_iter=2',
        f'val_dataloader.dataset.data_root={fake_cifar10}',
        'val_dataloader.num_workers=0',
        'default_hooks.teacher_check.num_images=8'
    ])
    assert runner.iter == 2
    assert type(runner.model.student).__module__.startswith('mmpretrain')
    metrics = runner.message_hub.log_scalars
    assert 'val/accuracy/top1' in metrics
