# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The README's commands, read out of README.md (and the Makefile recipes
its ``make`` targets run), run as written where this machine can: offline,
on the CPU, in seconds (fewer iterations, tiny fake data, placeholders such
as ``CKPT`` filled in). Where a command needs what is not here (a GPU, a
download, CIFAR-10, CamVid, slurm, a second host, hours), the files,
config keys, flags and launcher arguments it names are checked, and the
code path it runs is exercised shrunk by the test named in
``docs/development.md``. A test here fails when the README and the code
drift apart."""
import inspect
import json
import os
import os.path as osp
import re
import shlex
import stat
import subprocess
import sys

import pytest
from mmengine.config import Config

from mmrazor_dfad.testing import write_fake_mnist
from mmrazor_dfad.testing._internal.tool_runs import run_test, run_train

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MNIST_CONFIG = osp.join(REPO_ROOT, 'configs', 'dfad',
                        'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
DEMO_CONFIG = 'configs/dfad/dfad_logits_lenet5_lenet5half_1xb256_mnist-demo.py'
# Placeholders the README's commands use for what the user supplies.
PLACEHOLDERS = ('CONFIG', 'CKPT', 'DIR', 'WORK_DIR', 'PARTITION', 'JOB')
TOOLS = ('tools/train.py', 'tools/test.py', 'tools/dist_train.sh',
         'tools/dist_test.sh', 'tools/model_converters/export_student.py')


def readme() -> str:
    with open(osp.join(REPO_ROOT, 'README.md')) as file:
        return file.read()


def readme_commands() -> list:
    """Every command of the README's bash blocks, as words: continuation
    lines joined, comments dropped."""
    found = []
    for block in re.findall(r'```bash\n(.*?)```', readme(), re.S):
        for line in block.replace('\\\n', ' ').splitlines():
            words = shlex.split(line, comments=True)
            if words:
                found.append(words)
    return found


def without_variables(words) -> list:
    """A command's words after its leading ``NAME=value`` assignments."""
    while words and re.match(r'^[A-Z_]+=', words[0]):
        words = words[1:]
    return words


def readme_command(*prefix, containing=''):
    """The one README command that starts with ``prefix`` (after its
    variable assignments) and has a word containing ``containing``."""
    found = [
        words for words in readme_commands()
        if without_variables(words)[:len(prefix)] == list(prefix) and any(
            containing in word for word in words)
    ]
    assert len(found) == 1, (prefix, containing, found)
    return found[0]


def make_recipe(target: str) -> list:
    """The commands ``make TARGET`` runs (following a target without a
    recipe to its first prerequisite), with ``$(PY)`` as this Python and
    the repository's scripts as absolute paths."""
    with open(osp.join(REPO_ROOT, 'Makefile')) as file:
        makefile = file.read()
    rule = re.search(rf'^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n)*)',
                     makefile, re.M)
    assert rule, f'the Makefile has no target {target}'
    prerequisites, recipe = rule.group(1), rule.group(2)
    if not recipe.strip():
        return make_recipe(prerequisites.split('|')[0].split()[0])
    commands = []
    for line in recipe.splitlines():
        words = shlex.split(line.strip().replace('$(PY)', sys.executable))
        commands.append([
            osp.join(REPO_ROOT, word)
            if osp.isfile(osp.join(REPO_ROOT, word)) else word
            for word in words
        ])
    return commands


def make_prerequisites(target: str) -> list:
    with open(osp.join(REPO_ROOT, 'Makefile')) as file:
        rule = re.search(rf'^{re.escape(target)}:([^\n]*)', file.read(), re.M)
    return rule.group(1).replace('|', ' ').split()


def cfg_options(words) -> list:
    """The ``key=value`` words after ``--cfg-options``, up to the next
    flag."""
    words = [word.strip('[]') for word in words]
    if '--cfg-options' not in words:
        return []
    rest = words[words.index('--cfg-options') + 1:]
    options = []
    for word in rest:
        if word.startswith('-'):
            break
        options.append(word.strip('[]'))
    return options


def has_key(cfg: Config, dotted: str) -> bool:
    """Whether the config has the dotted key (list items by index)."""
    node = cfg.to_dict()
    for part in dotted.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit():
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


def mmrazor_configs() -> str:
    """``$MMRAZOR_CONFIGS`` as the README's assignment computes it."""
    found = re.search(r'MMRAZOR_CONFIGS=\$\(python -c "(.*?)"\)(\S+)',
                      readme())
    assert found, 'the README does not set MMRAZOR_CONFIGS'
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(found.group(1), {})
    return printed.getvalue().strip() + found.group(2)


def resolve(path: str) -> str:
    return osp.join(REPO_ROOT,
                    path.replace('$MMRAZOR_CONFIGS', mmrazor_configs()))


def python(words):
    """A README command with ``python`` as this Python."""
    return [sys.executable if word == 'python' else word for word in words]


def run(args, cwd, env=None, timeout=600):
    ran = subprocess.run([str(arg) for arg in args],
                         cwd=str(cwd),
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=timeout)
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-3000:]
    return ran.stdout + ran.stderr


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """A folder like a fresh clone after ``make data`` for the MNIST
    commands: the shipped teachers in ``checkpoints/`` and a tiny fake MNIST
    (with its validation split) in ``data/mnist``."""
    root = tmp_path_factory.mktemp('clone')
    os.symlink(osp.join(REPO_ROOT, 'checkpoints'), root / 'checkpoints')
    write_fake_mnist(str(root / 'data' / 'mnist'), 32, 16, num_val=16)
    return root


# The install and make lines


def test_make_targets_of_the_readme_exist_and_prepare_what_it_says():
    named = set(re.findall(r'`make ([\w-]+)`', readme()))
    named |= {words[1] for words in readme_commands() if words[0] == 'make'}
    assert {'demo', 'test', 'scenes', 'cifar-smoke', 'data'} <= named
    for target in named:
        assert make_recipe(target), target
    # "Both create .venv on first use ..., prepare MNIST and Fashion-MNIST
    # under data/ when missing".
    for target in ('demo', 'test'):
        assert {'install', 'data'} <= set(make_prerequisites(target)), target
    assert make_prerequisites('data') == [
        'data/mnist/manifest.json', 'data/fashion_mnist/manifest.json'
    ]
    # `make test`: the lint, the suite, then the shipped teachers.
    assert 'lint' in make_prerequisites('test')
    recipe = [' '.join(words) for words in make_recipe('test')]
    assert any('-m pytest tests' in line for line in recipe)
    assert any('check_teachers.py' in line for line in recipe)
    # `make demo` trains the config the README names.
    (demo, ) = make_recipe('demo')
    assert demo[1] == osp.join(REPO_ROOT, 'tools', 'misc', 'mnist_demo.py')
    assert f'`{DEMO_CONFIG}`' in readme().replace('\n', ' ')


def test_versions_the_readme_lists_are_the_pinned_and_installed_ones():
    import importlib.metadata as metadata
    listed = re.search(r'Both create `\.venv` on first use \((.*?)\)',
                       readme().replace('\n', ' '))
    assert listed, 'the README no longer lists the installed versions'
    names = {
        'PyTorch': 'torch',
        'MMEngine': 'mmengine',
        'mmcv-lite': 'mmcv-lite',
        'MMCls': 'mmcls',
        'MMPretrain': 'mmpretrain',
        'MMSegmentation': 'mmsegmentation',
        'MMRazor': 'mmrazor',
    }
    pins = ''
    for name in ('torch.txt', 'mminstall.txt'):
        with open(osp.join(REPO_ROOT, 'requirements', name)) as file:
            pins += file.read()
    versions = dict(
        item.rsplit(' ', 1) for item in listed.group(1).split(', ')
        if ' ' in item)
    assert set(versions) == set(names), versions
    for shown, package in names.items():
        assert metadata.version(package) == versions[shown], package
        pinned = re.search(rf'^{re.escape(package)}==(\S+)', pins, re.M)
        if pinned:
            assert pinned.group(1) == versions[shown], package
    assert 'openmim' in listed.group(1) and 'openmim==' in pins


def test_install_lines_name_files_and_extras_that_exist():
    with open(osp.join(REPO_ROOT, 'setup.py')) as file:
        extras = dict(
            re.findall(r"'(\w+)': read_requirements\('(\w+\.txt)'\)",
                       file.read()))
    lines = [words for words in readme_commands() if words[0] == 'pip']
    assert lines
    for words in lines:
        if '-r' in words:
            path = words[words.index('-r') + 1]
            assert osp.isfile(osp.join(REPO_ROOT, path)), path
        for extra in re.findall(r'^\.\[(\w+)\]$', words[-1]):
            assert extra in extras, (extra, sorted(extras))
            assert osp.isfile(
                osp.join(REPO_ROOT, 'requirements', extras[extra]))
    (link, ) = [
        words for words in readme_commands()
        if words[:2] == ['python', 'tools/misc/mim_editable_link.py']
    ]
    assert osp.isfile(osp.join(REPO_ROOT, link[1]))


# What each tool command names: files, config keys, flags


def test_every_tool_command_names_a_config_and_keys_that_exist():
    checked = []
    comments = re.findall(r'#\s+(\$MMRAZOR_CONFIGS/\S+\.py)', readme())
    mmrazor_options = cfg_options(
        readme_command('python', 'tools/train.py', containing='$MMRAZOR'))
    inline = re.findall(r'`(val_dataloader\.dataset\.data_prefix)=DIR`',
                        readme())
    assert len(comments) == 2 and inline
    for words in readme_commands():
        tool = next((w for w in words if w in TOOLS), None)
        if tool is None:
            continue
        assert osp.isfile(osp.join(REPO_ROOT, tool)), tool
        config = words[words.index(tool) + 1]
        if config in PLACEHOLDERS:
            continue
        configs = [config]
        if config.startswith('$MMRAZOR_CONFIGS/dfad/'):
            # "DAFL and ZSKT: the same options with" (a comment).
            configs += comments
        for path in configs:
            cfg = Config.fromfile(resolve(path))
            options = cfg_options(words)
            if path.startswith('$MMRAZOR_CONFIGS/dfad/'):
                options += [f'{key}=DIR' for key in inline]
            for option in options:
                key = option.split('=', 1)[0]
                assert has_key(cfg, key), (path, key)
            checked.append(path)
    assert len(checked) >= 10, checked
    # The MMRazor options are the ones that make the configs ours, offline.
    assert 'model._scope_=mmrazor_dfad' in mmrazor_options
    assert any(
        o.startswith('model.teachers.res34.ckpt_path=')
        for o in mmrazor_options)


def test_the_train_and_test_flags_of_the_readme_parse(tmp_path):
    from mmrazor_dfad.apis import test as test_tool
    from mmrazor_dfad.apis import train as train_tool
    words = readme_command('python', 'tools/train.py', containing='--amp')
    config = osp.join(REPO_ROOT, words[2])
    flags = [w.strip('[]') for w in words[3:] if w != '|']
    groups = []
    for word in flags:
        if word.startswith('--'):
            groups.append([word])
        else:
            groups[-1].append(word)
    assert [g[0] for g in groups] == [
        '--work-dir', '--resume', '--resume-if-any', '--amp',
        '--auto-scale-lr', '--cfg-options'
    ]
    # `--resume [CKPT]`: with and without the value.
    groups.append(['--resume'])
    for group in groups:
        args = train_tool.parse_args([config, *group])
        value = getattr(args, group[0][2:].replace('-', '_'))
        if group[0] == '--resume':
            assert value == (group[1] if len(group) > 1 else 'auto')
        elif group[0] == '--cfg-options':
            cfg = train_tool.build_config(
                train_tool.parse_args(
                    [config, '--work-dir',
                     str(tmp_path), *group]))
            for option in group[1:]:
                key, text = option.split('=')
                node = cfg
                for part in key.split('.'):
                    node = node[part]
                assert node == int(text), option
        elif len(group) > 1:
            assert value == group[1]
        else:
            assert value is True, group
    words = readme_command('python', 'tools/test.py', containing='cifar10')
    args = test_tool.parse_args(words[2:])
    assert (args.config, args.checkpoint) == tuple(words[2:4])


def test_the_mim_commands_find_their_config_in_the_package():
    from mim.utils import get_installed_path, recursively_find
    root = get_installed_path('mmrazor_dfad')
    for verb in ('train', 'test'):
        words = readme_command('mim', verb)
        assert words[2] == 'mmrazor_dfad'
        found = recursively_find(root, words[3], followlinks=True)
        assert len(found) == 1, (words, found)
        assert osp.realpath(found[0]) == osp.realpath(
            osp.join(REPO_ROOT, 'configs', 'dfad', words[3]))


def test_the_demo_paragraph_describes_the_demo_config():
    text = readme().replace('\n', ' ')
    cfg = Config.fromfile(osp.join(REPO_ROOT, DEMO_CONFIG))
    found = re.search(
        r'cosine schedules over ([\d,]+) iterations instead of ([\d,]+)', text)
    demo_iters, recipe_iters = (
        int(n.replace(',', '')) for n in found.groups())
    assert cfg.train_cfg.max_iters == demo_iters
    assert cfg.param_scheduler.architecture.T_max == demo_iters
    assert Config.fromfile(MNIST_CONFIG).train_cfg.max_iters == recipe_iters
    every = int(re.search(r'validation every (\d+)', text).group(1))
    assert cfg.train_cfg.val_interval == every
    patience = int(re.search(r'patience (\d+) validations', text).group(1))
    (hook, ) = [
        h for h in cfg.custom_hooks if h.type == 'LabelFreeEarlyStoppingHook'
    ]
    assert hook.patience == patience
    assert hook.monitor == 'label_free/agreement'
    assert 'teacher-student agreement on generated images' in text


def test_the_mmrazor_config_snippet_names_our_algorithms():
    from mmengine.registry import MODELS as ROOT_MODELS
    from mmengine.utils import import_modules_from_strings

    from mmrazor_dfad.models import (DAFLDataFreeDistillation,
                                     DataFreeDistillation)
    blocks = re.findall(r'```python\n(.*?)```', readme(), re.S)
    (snippet, ) = [b for b in blocks if 'custom_imports' in b]
    names = {}
    exec(snippet, names)  # `architecture=...` is Python's Ellipsis
    import_modules_from_strings(**names['custom_imports'])
    model = names['model']

    def get(scope, name):
        with ROOT_MODELS.switch_scope_and_registry(scope) as registry:
            return registry.get(name)

    assert get(model['_scope_'], model['type']) is DataFreeDistillation
    # The comments' alternatives.
    scope, name = re.search(r"# or _scope_='(\w+)', type='(\w+)'",
                            snippet).groups()
    assert get(scope, name) is DataFreeDistillation
    (dafl, ) = re.findall(r"'(mmrazor_dfad\.DAFL\w+)' for DAFL", snippet)
    assert get(model['_scope_'], dafl) is DAFLDataFreeDistillation
    # Every key of the snippet is an argument of the algorithm.
    parameters = inspect.signature(DataFreeDistillation).parameters
    for key in model:
        if key not in ('_scope_', 'type'):
            assert key in parameters, key


# The data commands


@pytest.mark.integration
def test_prepare_mnist_from_a_folder_of_the_official_files(tmp_path):
    """``prepare_mnist.py --source DIR``: a folder with the official
    counts (random digits here), into ``data/mnist``, with its validation
    split and manifest, without a download."""
    words = readme_command('python',
                           'tools/dataset_converters/prepare_mnist.py')
    assert words[2:] == ['[--source', 'DIR]']
    assert re.search(r'prepare_mnist\.py \[--source DIR\] +# -> data/mnist',
                     readme())
    source = write_fake_mnist(str(tmp_path / 'official'), 60000, 10000)
    out = run(
        [sys.executable,
         osp.join(REPO_ROOT, words[1]), '--source', source],
        cwd=tmp_path)
    prepared = tmp_path / 'data' / 'mnist'
    manifest = json.loads((prepared / 'manifest.json').read_text())
    assert manifest['source'] == f'folder {source}'
    assert manifest['counts']['train'] == 60000
    assert manifest['counts']['test'] == 10000
    assert (prepared / 'val' / 't10k-images-idx3-ubyte').is_file()
    assert 'official download' not in out  # the folder came first


@pytest.mark.integration
def test_prepare_fashion_mnist_from_a_folder_of_the_official_files(tmp_path):
    """``prepare_fashion_mnist.py --source DIR`` on the official files
    ``make data`` installed: the same verified files, in
    ``data/fashion_mnist``."""
    words = readme_command(
        'python', 'tools/dataset_converters/prepare_fashion_mnist.py')
    assert words[2:] == ['[--source', 'DIR]']
    assert re.search(
        r'prepare_fashion_mnist\.py \[--source DIR\] +# -> data/fashion_mnist',
        readme())
    installed = osp.join(REPO_ROOT, 'data', 'fashion_mnist')
    if not osp.isfile(osp.join(installed, 'manifest.json')):
        pytest.skip('no data/fashion_mnist: `make data` (make test) '
                    'prepares it first')
    run([sys.executable,
         osp.join(REPO_ROOT, words[1]), '--source', installed],
        cwd=tmp_path)
    prepared = tmp_path / 'data' / 'fashion_mnist'
    manifest = json.loads((prepared / 'manifest.json').read_text())
    with open(osp.join(installed, 'manifest.json')) as file:
        expected = json.load(file)
    assert manifest['source'] == f'folder {installed}'
    assert manifest['sha256'] == expected['sha256']


@pytest.mark.integration
def test_export_command_with_an_out_path_relative_to_the_working_dir(
        mnist_reference, tmp_path, monkeypatch):
    """``export_student.py CONFIG CKPT OUT.pth`` with ``OUT.pth`` in a
    folder given relative to the working directory (as ``make demo``
    exports into ``work_dirs/mnist_demo``): the LeNet-5-half student's
    source export, checked in a fresh process that starts in the export's
    folder."""
    from mmrazor_dfad.apis import export as export_tool
    words = readme_command('python',
                           'tools/model_converters/export_student.py')
    assert words[2:] == ['CONFIG', 'CKPT', 'OUT.pth']
    monkeypatch.chdir(tmp_path)
    result = export_tool.main([
        MNIST_CONFIG,
        str(mnist_reference / 'iter_6.pth'),
        osp.join('exported', words[-1])
    ])
    assert result['route'] == 'source'
    for name in ('OUT.pth', 'OUT.py', 'OUT_modules.py'):
        assert (tmp_path / 'exported' / name).is_file(), name


# Launchers that are not here (torchrun on 8 GPUs, two hosts, slurm): the
# scripts hand the README's arguments to the launcher (a stand-in that
# prints them); real 2-process runs: test_dist.py, test_label_free_path.py.

LAUNCHER = '#!/bin/sh\necho "$(basename "$0") $*"\n'


def fake_launchers(folder) -> dict:
    folder.mkdir()
    for name in ('torchrun', 'srun'):
        path = folder / name
        path.write_text(LAUNCHER)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return dict(os.environ, PATH=f'{folder}{os.pathsep}{os.environ["PATH"]}')


@pytest.mark.integration
def test_the_distributed_and_slurm_commands_reach_their_launcher(tmp_path):
    from mmrazor_dfad.apis import train as train_tool
    env = fake_launchers(tmp_path / 'bin')
    cifar = 'configs/dfad/dfad_logits_resnet34_resnet18_8xb32_cifar10.py'

    def launched(line):
        """The launcher's arguments when the README's line runs."""
        ran = subprocess.run(['bash', '-c', line],
                             cwd=REPO_ROOT,
                             env=env,
                             capture_output=True,
                             text=True,
                             timeout=60)
        assert ran.returncode == 0, ran.stderr[-2000:]
        return ran.stdout.split()

    train = readme_command('bash', 'tools/dist_train.sh')
    assert train[2:] == [cifar, '8']
    args = launched(shlex.join(train))
    assert args[0] == 'torchrun'
    for expected in ('--nnodes=1', '--node_rank=0', '--nproc_per_node=8'):
        assert expected in args, (expected, args)
    assert args[-4:] == ['tools/train.py', cifar, '--launcher', 'pytorch']

    test = readme_command('bash', 'tools/dist_test.sh')
    assert test[2:] == [cifar, 'CKPT', '8']
    args = launched(shlex.join(test))
    assert '--nproc_per_node=8' in args
    assert args[-5:] == [
        'tools/test.py', cifar, 'CKPT', '--launcher', 'pytorch'
    ]

    (multi_node, ) = re.findall(
        r'# multi-node: (NNODES=\S+ NODE_RANK=\S+ MASTER_ADDR=\S+ bash '
        r'tools/dist_train\.sh CONFIG \d+)', readme())
    args = launched(multi_node)
    for expected in ('--nnodes=2', '--node_rank=0', '--master_addr=host0',
                     '--nproc_per_node=8'):
        assert expected in args, (expected, args)
    assert args[-4:] == ['tools/train.py', 'CONFIG', '--launcher', 'pytorch']

    slurm = readme_command('bash', 'tools/slurm_train.sh')
    assert slurm[0] == 'GPUS=8'
    args = launched(shlex.join(slurm))
    assert args[:3] == ['srun', '-p', 'PARTITION']
    for expected in ('--job-name=JOB', '--ntasks=8', '--gres=gpu:8'):
        assert expected in args, (expected, args)
    at = args.index('-u') + 1
    assert args[at] == 'tools/train.py'
    # What srun starts on each task is a command line train.py takes.
    parsed = train_tool.parse_args(args[at + 1:])
    assert (parsed.config, parsed.work_dir,
            parsed.launcher) == ('CONFIG', 'WORK_DIR', 'slurm')


# The command lines, run


@pytest.mark.e2e
def test_make_demo_runs_and_leaves_what_the_readme_lists(workspace):
    """``make demo``'s recipe, as written, in a fresh clone's folder, cut to
    4 iterations of 8 images with validations at 2 and 4; then the
    README's command that loads its student."""
    (command, ) = make_recipe('demo')
    work_dir = command[command.index('--work-dir') + 1]
    assert work_dir == 'work_dirs/mnist_demo'
    printed = run([
        *command, '--cfg-options', 'train_dataloader.batch_size=8',
        'train_cfg.max_iters=4', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', 'custom_hooks.0.interval=2',
        'val_cfg.label_free.0.dataloader.dataset.num_images=16',
        'test_cfg.label_free.dataloader.dataset.num_images=16'
    ],
                  cwd=workspace)
    # "It prints teacher top-1, student top-1, their ratio, teacher-student
    # agreement, the label-free score and the top-1 of the validation it
    # would select, when and why training stopped ..., and wall time."
    for line in ('teacher  LeNet-5      top-1:',
                 'student  LeNet-5-half top-1:', 'student / teacher ratio',
                 'teacher-student agreement', 'label-free score',
                 'label-free selection       : validation at iter',
                 'training stopped           : end of the schedule at '
                 'iter 4 of 4', 'wall time'):
        assert line in printed, (line, printed[-3000:])
    # "It leaves in work_dirs/mnist_demo/ the checkpoint, the student
    # exported for MMCls (student_lenet5half.pth, .py and _modules.py),
    # grids of generated images (<timestamp>/vis_data/vis_image/
    # generated_samples_<iter>.png) and a plot (curves.png)."
    folder = workspace / work_dir
    for name in ('iter_4.pth', 'student_lenet5half.pth',
                 'student_lenet5half.py', 'student_lenet5half_modules.py',
                 'curves.png', 'demo_summary.json'):
        assert (folder / name).is_file(), name
    for step in (0, 2, 4):
        assert list(
            folder.glob('*/vis_data/vis_image/'
                        f'generated_samples_{step}.png')), step
    for name in re.findall(r'`(student_lenet5half\S*)`', readme()):
        assert (folder / name).is_file(), name
    # The README's command builds the demo's student from anywhere.
    (load, ) = re.findall(r'`(PYTHONPATH=work_dirs/mnist_demo python -c .*?)`',
                          readme())
    run([
        'bash', '-c',
        load.replace(' python -c ', f' {sys.executable} -c ', 1)
    ],
        cwd=workspace)


@pytest.mark.e2e
def test_make_cifar_smoke_runs_two_iterations_and_says_it_is_meaningless(
        tmp_path):
    """``make cifar-smoke``'s recipe as written (its defaults: 2
    iterations of 4 images), in an empty folder without network."""
    (command, ) = make_recipe('cifar-smoke')
    text = readme().replace('\n', ' ')
    assert re.search(
        r'`make cifar-smoke` runs the real CIFAR-10 config for 2 '
        r'iterations', text)
    printed = run(command, cwd=tmp_path)
    work_dir = tmp_path / command[command.index('--work-dir') + 1]
    assert (work_dir / 'iter_2.pth').is_file()
    assert re.search(
        r'CIFAR smoke: 2 iterations of \S*configs/dfad/'
        r'dfad_logits_resnet34_resnet18_8xb32_cifar10\.py', printed)
    assert 'accuracy is meaningless' in printed
    # "a random CIFAR-format folder with a random ResNet-34 teacher".
    assert (work_dir / 'random_resnet34.pth').is_file()
    assert (work_dir / 'fake_cifar10' / 'cifar-10-batches-py').is_dir()
    assert not (tmp_path / 'data').exists()


@pytest.mark.integration
def test_mim_test_command_tests_a_checkpoint(workspace, mnist_reference):
    """The README's ``mim test`` line as written (``--gpus 1`` runs on the
    CPU without a launcher), on the MNIST config's checkpoint: CIFAR-10 is
    not here (the CIFAR config through tools/test.py: test_train.py)."""
    words = readme_command('mim', 'test')
    assert words[-4:-1] == ['--checkpoint', 'CKPT', '--gpus']
    words[3] = osp.basename(MNIST_CONFIG)
    words[words.index('CKPT')] = str(mnist_reference / 'iter_6.pth')
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    printed = run([mim, *words[1:]], cwd=workspace)
    assert re.search(r'Testing command is \S+ \S+/tools/test\.py', printed)
    assert 'accuracy/top1' in printed
    assert 'teacher_student/agreement' in printed


@pytest.mark.integration
def test_segmentation_block_runs_in_order_on_a_tiny_scene_set(
        tmp_path, monkeypatch):
    """The README's segmentation block, in order, in a fresh clone's
    folder: ``make scenes`` (its recipe, on a tiny fake Fashion-MNIST, with
    fewer canvases), the teacher, DFAD and KD-ORI with the teacher's
    checkpoint as ``TEACHER.pth``, ``tools/test.py`` and
    ``export_student.py`` on the DFAD checkpoint, each cut to 2 iterations
    (the tools' code in this process); then the README's MMSeg snippet on
    the exported student."""
    from mmrazor_dfad.apis import export as export_tool
    os.symlink(osp.join(REPO_ROOT, 'configs'), tmp_path / 'configs')
    monkeypatch.chdir(tmp_path)
    write_fake_mnist(
        str(tmp_path / 'data' / 'fashion_mnist'), 24, 8, num_val=8)
    (scenes, ) = make_recipe('scenes')
    run([*scenes, '--num-train', '4', '--num-val', '2', '--num-test', '2'],
        cwd=tmp_path)
    assert (tmp_path / 'data' / 'fashion_scenes' / 'manifest.json').is_file()

    block = next(
        b for b in re.findall(r'```bash\n(.*?)```', readme(), re.S)
        if 'make scenes' in b)
    assert shlex.split(
        block.splitlines()[0], comments=True) == ['make', 'scenes']
    steps = [
        words[1:]
        for words in (shlex.split(line, comments=True)
                      for line in block.replace('\\\n', ' ').splitlines())
        if words and words[0] == 'python'
    ]
    assert [s[0] for s in steps] == [
        'tools/train.py', 'tools/train.py', 'tools/train.py', 'tools/test.py',
        'tools/model_converters/export_student.py'
    ]
    teacher, dfad, kd, test, export = steps
    short = [
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'train_dataloader.batch_size=2', 'default_hooks.checkpoint.interval=2'
    ]

    def train(words, *extra):
        """Train a README step, shortened; its work dir (the default)."""
        words = list(words[1:])
        if '--cfg-options' not in words:
            words.append('--cfg-options')
        runner = run_train(words + short + list(extra))
        assert runner.iter == 2, words
        return tmp_path / 'work_dirs' / osp.splitext(osp.basename(words[0]))[0]

    def fill(words, **values):
        return [values.get(word, word) for word in words]

    teacher_ckpt = str(train(teacher) / 'iter_2.pth')
    assert 'TEACHER.pth' in ' '.join(dfad) and 'TEACHER.pth' in ' '.join(kd)
    dfad = [w.replace('TEACHER.pth', teacher_ckpt) for w in dfad]
    kd = [w.replace('TEACHER.pth', teacher_ckpt) for w in kd]
    dfad_dir = train(dfad, 'model.student_iter=1', 'custom_hooks=[]',
                     'val_cfg.label_free.dataloader.dataset.num_images=2')
    train(kd)

    # Until the scene teacher is shipped, DFAD's config names no teacher
    # file that exists: testing takes the training's --cfg-options too.
    assert test[1:] == ['CONFIG', 'CKPT', '[--cfg-options', '...]']
    assert re.search(
        r"python tools/test\.py CONFIG CKPT .*# .*the "
        r"training's --cfg-options", block)
    dfad_config, dfad_ckpt = dfad[1], str(dfad_dir / 'iter_2.pth')
    metrics = run_test(
        fill(test[1:3], CONFIG=dfad_config, CKPT=dfad_ckpt) + [
            '--cfg-options', *cfg_options(dfad),
            'test_cfg.label_free.dataloader.dataset.num_images=2'
        ])
    assert 'mIoU' in metrics and 'label_free/mIoU_vs_teacher' in metrics

    assert export[1:] == ['CONFIG', 'CKPT', 'OUT.pth']
    result = export_tool.main(
        fill(export[1:], CONFIG=dfad_config, CKPT=dfad_ckpt))
    # "an MMSeg config and checkpoint": "an MMSeg segmentor of MMSeg's own
    # modules; a scene-set student's config also imports mmrazor_dfad
    # (custom_imports) for its test metric, ClassIoUMetric".
    assert result['library'] == 'mmseg', result
    assert osp.samefile(result['config'], tmp_path / 'OUT.py')
    assert osp.samefile(result['checkpoint'], tmp_path / 'OUT.pth')
    exported = Config.fromfile(result['config'], import_custom_modules=False)
    assert 'mmrazor_dfad' not in str(exported.model)
    assert exported.default_scope == 'mmseg'
    paragraph = re.search(r'The exported student is an MMSeg segmentor.*?```',
                          readme(), re.S).group(0).replace('\n', ' ')
    assert "of MMSeg's own modules" in paragraph
    assert result['route'] == 'custom_imports', result
    assert exported.custom_imports.imports == ['mmrazor_dfad']
    for name in result['custom_types']:
        assert f'`{name}`' in paragraph, name
    assert '`custom_imports`' in paragraph

    blocks = re.findall(r'```python\n(.*?)```', readme(), re.S)
    (snippet, ) = [b for b in blocks if 'mmseg.apis' in b]
    names = {}
    exec(snippet, names)
    canvas = sorted((tmp_path / 'data' / 'fashion_scenes' / 'img_dir' /
                     'test').glob('*.png'))[0]
    predicted = names['inference_model'](names['model'], str(canvas))
    assert predicted.pred_sem_seg.data.shape == (1, 64, 64)
