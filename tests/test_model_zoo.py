# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Every number in the README tables and the metafile is the one in
``results/*.json``: regenerating them changes nothing."""
import os.path as osp
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_tables_and_metafile_match_the_results_json():
    check = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, '.dev_scripts', 'update_model_zoo.py'), '--check'
    ],
                           capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_check_fails_on_a_hand_edited_number(tmp_path):
    # A copy of the repository's generated files with one number changed
    # must be reported as stale.
    script = osp.join(REPO_ROOT, '.dev_scripts', 'update_model_zoo.py')
    code = (
        'import importlib.util, sys\n'
        f'spec = importlib.util.spec_from_file_location("zoo", {script!r})\n'
        'zoo = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(zoo)\n'
        'original = zoo.load\n'
        'def edited(path):\n'
        '    data = original(path)\n'
        '    if path == "results/mnist_dfad.json":\n'
        '        data["student_top1_final"][0] += 1.0\n'
        '    return data\n'
        'zoo.load = edited\n'
        'sys.exit(zoo.main(["--check"]))\n')
    check = subprocess.run([sys.executable, '-c', code],
                           capture_output=True,
                           text=True)
    assert check.returncode == 1
    assert 'README.md' in check.stdout and 'metafile.yml' in check.stdout
