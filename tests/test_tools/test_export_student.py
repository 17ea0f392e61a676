# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Exported students load through the libraries' own APIs in fresh
processes: a stock MMCls config where MMCls has the architecture and a
source config (the module's code beside the checkpoint) where it has not
(LeNet-5-half: MMCls's ``LeNet5`` is fixed at 6-16-120 channels with Tanh
and average pooling), both with ``mmrazor_dfad`` unimportable; a
``custom_imports`` config for a module that needs the package; MMPretrain's
``get_model``; and MMSeg's API after the README's import on mmcv-lite."""
import os
import os.path as osp
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmrazor_dfad.apis import export
from mmrazor_dfad.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MNIST_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
CIFAR_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_resnet34_resnet18_8xb32_cifar10.py')
MMPRETRAIN_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'mmpretrain',
    'dfad_logits_mmpretrain-lenet5_mmpretrain-lenet5half_1xb256_mnist.py')
MMPRETRAIN_CIFAR_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'mmpretrain',
    'dfad_logits_mmpretrain-resnet34_mmpretrain-resnet18_8xb32_cifar10.py')
MOSAIC_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'segmentation',
    'dfad_deeplabv3-r18q_fcn-mbv2q_1xb32_mnist-mosaic.py')

# In the fresh process: build the exported student with the library's API,
# load its weights strictly too, and save its logits on the saved images.
LOAD = '''
import sys
import torch
{prelude}
config, checkpoint, images, logits = sys.argv[1:5]
{build}
state = torch.load(checkpoint, weights_only=False)['state_dict']
model.load_state_dict(state, strict=True)
with torch.no_grad():
    torch.save(model(torch.load(images), mode='tensor'), logits)
print('PACKAGE LOADED', 'mmrazor_dfad' in sys.modules)
'''
MMCLS = "from mmcls.apis import init_model\nmodel = init_model(config, " \
    "checkpoint, 'cpu')"
MMPRETRAIN = "from mmpretrain.apis import get_model\nmodel = get_model(" \
    "config, checkpoint, device='cpu')"
# mmrazor_dfad made unimportable, before anything is imported.
BLOCK_PACKAGE = '''
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'mmrazor_dfad':
            raise ImportError(f'{name} blocked by the test')
sys.meta_path.insert(0, Refuse())
'''


def student_of(config, state_dict=None):
    """The student of a DFAD config, as the algorithm builds it, with the
    ``architecture.*`` weights of ``state_dict`` if given."""
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        student = MODELS.build(cfg.model.architecture)
    if state_dict is not None:
        student.load_state_dict({
            key[len('architecture.'):]: value
            for key, value in state_dict.items()
            if key.startswith('architecture.')
        })
    return student.eval()


def save_dfad_checkpoint(config, path):
    """A DFAD checkpoint of a randomly initialised student."""
    torch.manual_seed(0)
    student = student_of(config)
    torch.save(
        dict(
            state_dict={
                f'architecture.{k}': v
                for k, v in student.state_dict().items()
            },
            meta=dict(iter=1)), path)
    return str(path)


def export_in(cwd, monkeypatch, capsys, *argv):
    """``export_student.py ARGV`` run from ``cwd``: (result, its output)."""
    monkeypatch.chdir(cwd)
    result = export.main([str(arg) for arg in argv])
    return result, capsys.readouterr().out


def load_in_fresh_process(tmp_path,
                          result,
                          images,
                          build,
                          prelude='',
                          pythonpath=None):
    """The exported student's logits on ``images``, computed by the
    library's API in a fresh process started in an empty folder (with
    ``pythonpath`` as its ``PYTHONPATH`` if given)."""
    cwd = tmp_path / 'elsewhere'
    cwd.mkdir(exist_ok=True)
    torch.save(images, tmp_path / 'images.pt')
    env = dict(os.environ)
    if pythonpath:
        env['PYTHONPATH'] = str(pythonpath)
    loaded = subprocess.run([
        sys.executable, '-c',
        LOAD.format(prelude=prelude, build=build), result['config'],
        result['checkpoint'],
        str(tmp_path / 'images.pt'),
        str(tmp_path / 'logits.pt')
    ],
                            cwd=str(cwd),
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    return torch.load(tmp_path / 'logits.pt'), loaded.stdout


@pytest.mark.integration
def test_lenet5_half_student_loads_in_mmcls_without_mmrazor_dfad(
        mnist_reference, tmp_path, monkeypatch, capsys):
    dfad_ckpt = mnist_reference / 'iter_6.pth'
    result, printed = export_in(REPO_ROOT, monkeypatch, capsys, MNIST_CONFIG,
                                dfad_ckpt, tmp_path / 'student.pth')
    # MMCls's LeNet5 cannot express LeNet-5-half: its source travels beside
    # the checkpoint, and the tool says which config it wrote.
    assert result['route'] == 'source'
    assert result['custom_types'] == ['DAFLLeNet5']
    assert result['module'] == str(tmp_path / 'student_modules.py')
    assert 'wrote a source config: MMCls has no equivalent of DAFLLeNet5' \
        in printed
    assert f'load it: PYTHONPATH={tmp_path} python -c "from mmcls.apis ' \
        'import init_model; init_model(' in printed
    module = open(result['module']).read()
    assert 'mmrazor_dfad.' not in module.replace(
        'mmrazor_dfad.models.backbones.dafl_lenet5, registered', '')
    assert 'from mmcls.registry import MODELS' in module
    cfg = Config.fromfile(result['config'], import_custom_modules=False)
    assert cfg.default_scope == 'mmcls'
    assert cfg.custom_imports == dict(
        imports=['student_modules'], allow_failed_imports=False)
    assert cfg.model.backbone == dict(
        type='DAFLLeNet5', in_channels=1, channels=(3, 8, 60), fc_channels=42)
    # The test data resolve from anywhere.
    assert cfg.test_dataloader.dataset.data_prefix == osp.join(
        REPO_ROOT, 'data', 'mnist')

    torch.manual_seed(1)
    images = torch.randn(5, 1, 32, 32)
    trained = student_of(
        MNIST_CONFIG,
        torch.load(dfad_ckpt, weights_only=False)['state_dict'])
    with torch.no_grad():
        expected = trained(images, mode='tensor')
    logits, stdout = load_in_fresh_process(
        tmp_path,
        result,
        images,
        MMCLS,
        prelude=BLOCK_PACKAGE,
        pythonpath=tmp_path)
    assert torch.equal(logits, expected)
    assert 'PACKAGE LOADED False' in stdout


@pytest.mark.integration
def test_a_module_that_needs_the_package_exports_with_custom_imports(
        mnist_reference, tmp_path, monkeypatch, capsys):
    # As if DAFLLeNet5's module imported more of this package.
    monkeypatch.setattr(export, 'standalone_source', lambda *args: None)
    result, printed = export_in(REPO_ROOT, monkeypatch, capsys, MNIST_CONFIG,
                                mnist_reference / 'iter_6.pth',
                                tmp_path / 'student.pth')
    assert result['route'] == 'custom_imports' and result['module'] is None
    assert 'wrote a custom_imports config: MMCls has no equivalent of ' \
        'DAFLLeNet5' in printed
    cfg = Config.fromfile(result['config'], import_custom_modules=False)
    assert cfg.custom_imports == dict(
        imports=['mmrazor_dfad'], allow_failed_imports=False)
    assert cfg.model.backbone._scope_ == 'mmrazor_dfad'
    assert not (tmp_path / 'student_modules.py').exists()
    images = torch.randn(2, 1, 32, 32)
    _, stdout = load_in_fresh_process(tmp_path, result, images, MMCLS)
    assert 'PACKAGE LOADED True' in stdout  # through custom_imports


def test_standalone_source_refuses_a_module_that_imports_the_package():
    from mmrazor_dfad.models.backbones import DAFLLeNet5
    from mmrazor_dfad.models.generators import DAFLGenerator
    source = export.standalone_source([DAFLLeNet5], 'mmpretrain')
    assert 'from mmpretrain.registry import MODELS' in source
    assert export.REGISTRY_IMPORT not in source
    # The generator's module imports more of this package than its registry.
    assert export.standalone_source([DAFLGenerator], 'mmcls') is None


@pytest.mark.integration
@pytest.mark.parametrize(
    'config,name,build', [(CIFAR_CONFIG, 'MMCls', MMCLS),
                          (MMPRETRAIN_CIFAR_CONFIG, 'MMPretrain', MMPRETRAIN)],
    ids=['mmcls', 'mmpretrain'])
def test_resnet_student_loads_in_its_library_without_mmrazor_dfad(
        config, name, build, tmp_path, monkeypatch, capsys):
    dfad_ckpt = save_dfad_checkpoint(config, tmp_path / 'dfad.pth')
    result, printed = export_in(tmp_path, monkeypatch, capsys, config,
                                dfad_ckpt, tmp_path / 'resnet18.pth')
    assert result['route'] == 'stock'
    assert f'wrote a stock {name} config: only {name} / MMEngine modules, ' \
        'loads without mmrazor_dfad.' in printed
    text = open(result['config']).read()
    assert 'mmrazor_dfad' not in text.split('\n', 2)[2]  # below the header
    assert 'custom_imports' not in text
    # data/cifar10 does not exist from here: the tool says how to set it.
    assert re.search(
        r'test data: data/cifar10/? does not exist from .* set --cfg-options '
        r'test_dataloader\.dataset\.data_(prefix|root)=/path/to/data', printed)

    torch.manual_seed(1)
    images = torch.randn(3, 3, 32, 32)
    state = torch.load(dfad_ckpt, weights_only=False)['state_dict']
    with torch.no_grad():
        expected = student_of(config, state)(images, mode='tensor')
    logits, stdout = load_in_fresh_process(
        tmp_path, result, images, build, prelude=BLOCK_PACKAGE)
    assert torch.equal(logits, expected)
    assert 'PACKAGE LOADED False' in stdout


@pytest.mark.integration
def test_mmpretrain_student_loads_with_get_model(tmp_path, monkeypatch,
                                                 capsys):
    dfad_ckpt = save_dfad_checkpoint(MMPRETRAIN_CONFIG, tmp_path / 'd.pth')
    result, printed = export_in(REPO_ROOT, monkeypatch, capsys,
                                MMPRETRAIN_CONFIG, dfad_ckpt,
                                tmp_path / 'student.pth')
    assert result['library'] == 'mmpretrain'
    assert result['route'] == 'source'
    assert 'python -c "from mmpretrain.apis import get_model; get_model(' \
        in printed
    cfg = Config.fromfile(result['config'], import_custom_modules=False)
    assert cfg.default_scope == 'mmpretrain'
    assert 'test_pipeline' not in cfg  # MMCls's packing: not MMPretrain's
    torch.manual_seed(1)
    images = torch.randn(2, 1, 32, 32)
    state = torch.load(dfad_ckpt, weights_only=False)['state_dict']
    with torch.no_grad():
        expected = student_of(MMPRETRAIN_CONFIG, state)(images, mode='tensor')
    logits, stdout = load_in_fresh_process(
        tmp_path,
        result,
        images,
        MMPRETRAIN,
        prelude=BLOCK_PACKAGE,
        pythonpath=tmp_path)
    assert 'PACKAGE LOADED False' in stdout
    assert torch.equal(logits, expected)


def readme_mmseg_snippet():
    """The README's Python block that loads an exported segmentor."""
    readme = open(osp.join(REPO_ROOT, 'README.md')).read()
    blocks = re.findall(r'```python\n(.*?)```', readme, re.S)
    found = [block for block in blocks if 'mmseg.apis' in block]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.integration
def test_segmentation_student_runs_through_mmseg_with_the_readme_import(
        tmp_path, monkeypatch, capsys):
    dfad_ckpt = save_dfad_checkpoint(MOSAIC_CONFIG, tmp_path / 'dfad.pth')
    result, printed = export_in(tmp_path, monkeypatch, capsys, MOSAIC_CONFIG,
                                dfad_ckpt, tmp_path / 'OUT.pth')
    assert result['library'] == 'mmseg' and result['route'] == 'stock'
    # The README, the tool's output and its docstring give the import.
    snippet = readme_mmseg_snippet()
    assert snippet.strip() == export.MMSEG_SNIPPET.format(
        config='OUT.py', checkpoint='OUT.pth')
    for line in export.MMSEG_SNIPPET.format(
            config=result['config'],
            checkpoint=result['checkpoint']).splitlines():
        assert '    ' + line in printed
    tool = open(
        osp.join(REPO_ROOT, 'tools', 'model_converters',
                 'export_student.py')).read()
    assert 'import mmrazor_dfad' in tool and 'mmcv-lite' in tool

    # The snippet, as the README gives it, in a fresh process.
    import cv2
    cv2.imwrite(
        str(tmp_path / 'canvas.png'),
        np.random.RandomState(0).randint(0, 255, (64, 64, 3), np.uint8))
    script = snippet + textwrap.dedent('''
        result = inference_model(model, 'canvas.png')
        print('SHAPE', tuple(result.pred_sem_seg.data.shape))
        ''')
    ran = subprocess.run([sys.executable, '-c', script],
                         cwd=str(tmp_path),
                         capture_output=True,
                         text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert 'SHAPE (1, 64, 64)' in ran.stdout


@pytest.mark.integration
def test_the_readme_command_loads_the_demo_student_without_the_package(
        mnist_reference, tmp_path, monkeypatch, capsys):
    readme = open(osp.join(REPO_ROOT, 'README.md')).read()
    commands = re.findall(r'`(PYTHONPATH=work_dirs/mnist_demo python -c .*?)`',
                          readme)
    assert len(commands) == 1, commands
    demo = tmp_path / 'work_dirs' / 'mnist_demo'
    demo.mkdir(parents=True)
    result, _ = export_in(REPO_ROOT, monkeypatch, capsys, MNIST_CONFIG,
                          mnist_reference / 'iter_6.pth',
                          demo / 'student_lenet5half.pth')
    assert result['route'] == 'source'
    # Python runs sitecustomize from PYTHONPATH first: mmrazor_dfad becomes
    # unimportable before the README's command imports anything.
    (demo / 'sitecustomize.py').write_text('import sys\n' + BLOCK_PACKAGE)
    command = commands[0] + \
        "; import sys; print('PACKAGE LOADED', 'mmrazor_dfad' in sys.modules)"
    command = command.replace('"; import sys;', "; import sys;") + '"'
    command = command.replace(' python -c ', f' {sys.executable} -c ', 1)
    ran = subprocess.run(['bash', '-c', command],
                         cwd=str(tmp_path),
                         capture_output=True,
                         text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert 'PACKAGE LOADED False' in ran.stdout
