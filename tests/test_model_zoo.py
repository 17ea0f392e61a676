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


def _load_zoo_script():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'zoo', osp.join(REPO_ROOT, '.dev_scripts', 'update_model_zoo.py'))
    zoo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zoo)
    return zoo


def test_time_to_target_table_compares_mean_minutes_with_the_baseline():
    zoo = _load_zoo_script()

    def run(seed, minutes, iteration, last):
        return dict(
            seed=seed,
            time_to_ratio={'0.98': dict(minutes=minutes, iteration=iteration)},
            validations=[[iteration or 20, 90.0], [last, 97.0]])

    record = dict(
        recipes=dict(
            slow=dict(
                config='configs/dfad/a.py',
                cfg_options=['train_cfg.val_interval=20'],
                machine='m',
                seeds=[run(0, 6.0, 200, 300),
                       run(1, 4.0, 160, 300)]),
            fast=dict(
                config='configs/dfad/b.py',
                machine='m',
                seeds=[run(0, 1.0, 40, 100),
                       run(1, 2.0, 60, 100)]),
            stuck=dict(
                config='configs/dfad/c.py',
                machine='m',
                seeds=[run(0, None, None, 100)])))
    zoo.load = lambda path: record
    lines = zoo.time_to_target_table(
        'results/x.json', 'configs/dfad', baseline='slow',
        ratio='0.98').splitlines()
    assert 'relative to slow' in lines[0]
    slow, fast, stuck = lines[2:]
    assert '6.0 (200, seed 0), 4.0 (160, seed 1) | 5.0 | 1.00 | 300 |' in slow
    assert '`train_cfg.val_interval=20`' in slow
    assert '| 1.5 | 0.30 | 100 |' in fast
    assert '| never | - | - | 100 |' in stuck
