# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The package's dependency direction: the engine uses the models, never
the other way round."""
import glob
import os.path as osp
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _modules_loaded_by(statement: str) -> set:
    code = (f'import sys; {statement}; '
            "print('\\n'.join(m for m in sys.modules "
            "if m.startswith('mmrazor_dfad')))")
    output = subprocess.run([sys.executable, '-c', code],
                            check=True,
                            capture_output=True,
                            text=True).stdout
    return set(output.split())


@pytest.mark.integration
def test_models_import_nothing_from_the_engine():
    loaded = _modules_loaded_by('import mmrazor_dfad.models')
    assert 'mmrazor_dfad.models.algorithms.data_free_distillation' in loaded
    assert not {m for m in loaded if m.startswith('mmrazor_dfad.engine')}


def test_the_models_look_up_no_optimizer_wrapper_of_the_engine():
    # The engine's AlternatingOptimWrapper calls the algorithm's
    # train_student / train_generator; the models never fetch the engine's
    # wrappers, by import or by registry name (MMRazor's plain
    # OptimWrapperDict gets MMRazor's train_step instead).
    offenders = []
    for path in glob.glob(
            osp.join(REPO_ROOT, 'mmrazor_dfad', 'models', '**', '*.py'),
            recursive=True):
        with open(path) as file:
            text = file.read()
        if 'OPTIM_WRAPPERS' in text or 'mmrazor_dfad.engine' in text:
            offenders.append(osp.relpath(path, REPO_ROOT))
    assert not offenders


def test_tools_and_tests_do_not_edit_the_import_path():
    # Tools are scripts over the package; tests import the package.
    pattern = 'sys' + '.path'
    offenders = []
    for folder in ('tools', 'tests'):
        for path in glob.glob(
                osp.join(REPO_ROOT, folder, '**', '*.py'), recursive=True):
            with open(path) as file:
                if pattern in file.read():
                    offenders.append(osp.relpath(path, REPO_ROOT))
    assert not offenders


def _code_lines(path):
    with open(path) as file:
        lines = [line.strip() for line in file]
    return [line for line in lines if line and not line.startswith('#')]


def test_no_config_block_is_repeated_across_config_files():
    # Six or more consecutive code lines shared by two config files belong
    # in a _base_ file they both inherit.
    window = 6
    seen = {}
    repeated = set()
    for path in sorted(
            glob.glob(
                osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)):
        lines = _code_lines(path)
        for start in range(len(lines) - window + 1):
            block = tuple(lines[start:start + window])
            owner = seen.setdefault(block, path)
            if owner != path:
                repeated.add((osp.relpath(owner, REPO_ROOT),
                              osp.relpath(path, REPO_ROOT), block[0]))
    assert not repeated, sorted(repeated)
