# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The one schema of ``results/*.json``: every file loads, dumps back to
itself, malformed records are refused with the field named, and the
generated tables equal the ones in the repository."""
import copy
import importlib.util
import json
import os
import os.path as osp
import re

import pytest

import run_records  # .dev_scripts/run_records (pyproject.toml: pythonpath)
from run_records import (SCHEMA, ResultsFile, RunRecord, SpeedRecord,
                         dump_results, dumps_results, load_all, load_or_create,
                         load_results, results_from_dict, summarize)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RESULTS = osp.join(REPO_ROOT, 'results')
NAMES = sorted(name for name in os.listdir(RESULTS) if name.endswith('.json'))


def load_zoo():
    """``.dev_scripts/update_model_zoo.py`` as a module (no subprocess)."""
    spec = importlib.util.spec_from_file_location(
        'update_model_zoo',
        osp.join(REPO_ROOT, '.dev_scripts', 'update_model_zoo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def minimal(**run):
    """The JSON of a results file with one run (fields of ``run`` added)."""
    return dict(
        schema=SCHEMA,
        name='x',
        runs=[dict(dict(variant='v', metrics=dict(student_top1=1.0)), **run)])


def test_every_results_file_loads():
    loaded = load_all(RESULTS)
    assert sorted(loaded) == [name[:-len('.json')] for name in NAMES]
    for stem, results in loaded.items():
        assert isinstance(results, ResultsFile)
        assert results.name == stem
        assert results.runs or results.speed, stem
        assert all(isinstance(run, RunRecord) for run in results.runs)
        assert all(isinstance(item, SpeedRecord) for item in results.speed)
        for run in results.runs:
            assert all(
                isinstance(step, int) and isinstance(metrics, dict)
                for step, metrics in run.validations)


@pytest.mark.parametrize('name', NAMES)
def test_dump_then_load_gives_the_same_file(name, tmp_path):
    path = osp.join(RESULTS, name)
    results = load_results(path)
    with open(path, encoding='utf-8') as file:
        assert dumps_results(results) == file.read()  # stored canonically
    dump_results(results, str(tmp_path / name))
    assert load_results(str(tmp_path / name)) == results


def without_schema():
    """A results file's JSON that lacks the ``schema`` key."""
    data = minimal()
    del data['schema']
    return data


SPEED = dict(contender='ours')
# (the JSON, the field the error must name, words of its fix)
MALFORMED = [
    (dict(minimal(), runs=[dict(seed=0)]), 'runs[0].variant', 'add it'),
    (minimal(top1=3.0), 'runs[0].top1', 'move it into runs[0].extra'),
    (minimal(seed='0'), 'runs[0].seed', 'the integer seed'),
    (minimal(seed=True), 'runs[0].seed', 'the integer seed'),
    (minimal(teacher_metrics=dict(teacher_top1='98')),
     "runs[0].teacher_metrics['teacher_top1']", 'write it as a JSON number'),
    (minimal(validations=[[100, 95.0]]), 'runs[0].validations[0][1]',
     'a list of [iteration, {name: number}]'),
    (minimal(validations=[[100]]), 'runs[0].validations[0]',
     'a list of [iteration'),
    (minimal(cfg_options='a=1'), 'runs[0].cfg_options', 'key=value'),
    (dict(minimal(), task='detection'), 'task', 'classification'),
    (dict(minimal(), schema='other'), 'schema', 'dump_results'),
    (without_schema(), 'schema', 'dump_results'),
    (dict(minimal(), speed=[dict(SPEED, samples=[1.0])]), 'speed[0].samples',
     'move it into speed[0].extra'),
    (dict(minimal(),
          speed=[dict(SPEED,
                      s_per_iter='fast')]), 'speed[0].s_per_iter', 'seconds'),
    (dict(minimal(), baselines=dict(a=3.0)), "baselines['a']",
     '{name: {metric: number}}'),
    (minimal(split='train'), 'runs[0].split', 'val, test'),
    (minimal(commit=3), 'runs[0].commit', 'git rev-parse HEAD'),
    (dict(minimal(), speed=[dict(SPEED, commit=['a'])]), 'speed[0].commit',
     'git rev-parse HEAD'),
]


@pytest.mark.parametrize('data, field, hint', MALFORMED)
def test_a_malformed_file_names_the_file_the_field_and_the_fix(
        data, field, hint):
    with pytest.raises(ValueError) as error:
        results_from_dict(data, 'results/x.json')
    message = str(error.value)
    assert message.startswith(f'results/x.json: {field}: '), message
    assert 'Fix: ' in message and hint in message, message


def test_nan_broken_json_and_an_invalid_dump_are_refused(tmp_path):
    nan = r"metrics\['student_top1'\]: .* diverged_at_iteration"
    with pytest.raises(ValueError, match=nan):
        results_from_dict(minimal(metrics=dict(student_top1=float('nan'))))
    path = tmp_path / 'bad.json'
    path.write_text('{"schema": ')
    with pytest.raises(ValueError, match='bad.json: not JSON'):
        load_results(str(path))
    results = ResultsFile(name='x', runs=[RunRecord(variant='v', seed='0')])
    with pytest.raises(ValueError, match=r'runs\[0\]\.seed'):
        dump_results(results, str(tmp_path / 'x.json'))
    assert not (tmp_path / 'x.json').exists()


def test_dump_is_sorted_indented_and_keeps_every_number(tmp_path):
    run = RunRecord(
        variant='v',
        seed=1,
        metrics=dict(student_top1=96.9000015258789, agreement=97),
        validations=[(100, dict(student_top1=94.4000015258789))],
        wall_time_s=2350.0,
        extra=dict(time_to_ratio={'0.98': dict(iteration=None)}))
    path = tmp_path / 'x.json'
    dump_results(ResultsFile(name='x', runs=[run]), str(path))
    text = path.read_text()
    data = json.loads(text)
    assert list(data) == sorted(data) and list(data['runs'][0]) == sorted(
        data['runs'][0])
    assert '\n  "name": "x",\n' in text and text.endswith('}\n')
    assert data['runs'][0]['metrics'] == dict(
        agreement=97, student_top1=96.9000015258789)
    assert data['runs'][0]['validations'] == [[
        100, dict(student_top1=94.4000015258789)
    ]]
    assert load_results(str(path)).runs[0] == run


def test_variants_replace_and_summarize(tmp_path):

    def run(variant, seed, top1=None, **kwargs):
        return RunRecord(
            variant=variant,
            seed=seed,
            metrics={} if top1 is None else dict(student_top1=top1),
            teacher_metrics=dict(teacher_top1=90.0),
            **kwargs)

    results = load_or_create(str(tmp_path / 'new.json'), dataset='MNIST')
    assert results.name == 'new' and results.dataset == 'MNIST'
    assert results.runs == []
    results.runs = [run('a', 0, 80.0), run('b', 0, 70.0), run('c', 0, 60.0)]
    results.add_runs('b', [
        run('b', 0, 72.0, wall_time_s=60.0),
        run('b', 1, 78.0, wall_time_s=180.0),
        run('b', 2, extra=dict(diverged_at_iteration=17))
    ])
    order = [(item.variant, item.seed) for item in results.runs]
    # The earlier run of b is kept, the new ones follow it.
    assert order == [('a', 0), ('b', 0), ('b', 0), ('b', 1), ('b', 2),
                     ('c', 0)]
    results.add_runs('d', [run('d', 0, 1.0)])
    # Recording the same run again adds nothing.
    results.add_runs('d', [run('d', 0, 1.0)])
    assert [item.variant for item in results.runs].count('d') == 1
    assert list(results.variants()) == ['a', 'b', 'c', 'd']
    stats = summarize(results.variants()['b'][1:])  # the new runs
    assert [item.seed for item in stats.runs] == [0, 1]
    assert (stats.finals, stats.mean, stats.ratio,
            stats.minutes) == ([72.0, 78.0], 75.0, 75.0 / 90.0, 2.0)
    assert stats.std == pytest.approx(4.242640687)
    assert summarize([run('e', 0, 50.0)]).std == 0.0


def test_the_generated_tables_equal_the_repository_files(capsys):
    zoo = load_zoo()
    for path in [*zoo.SECTIONS, *zoo.WHOLE_FILES]:
        current, rendered = zoo.render(path)
        assert rendered == current, f'{path} differs from results/'
    assert zoo.main(['--check']) == 0
    assert capsys.readouterr().out == ''


def test_the_check_fails_on_an_edited_number(capsys, monkeypatch):
    zoo = load_zoo()
    original = zoo.load

    def edited(name):
        results = original(name)
        if name == 'mnist_dfad':
            # Every run, so that the tables of headline and legacy runs
            # both change.
            for run in results.runs:
                run.metrics['student_top1'] += 1.0
        return results

    # Every table reads through the parts' one loader (undone after).
    monkeypatch.setattr(zoo.model_zoo.common, 'load', edited)
    assert zoo.main(['--check']) == 1
    out = capsys.readouterr().out
    assert 'README.md' in out and 'metafile.yml' in out


def test_time_to_target_compares_mean_minutes_with_the_baseline(monkeypatch):
    zoo = load_zoo()

    def run(variant, config, seed, minutes, iteration, last, **kwargs):
        return RunRecord(
            variant=variant,
            config=f'configs/dfad/{config}.py',
            seed=seed,
            machine='m',
            metrics=dict(student_top1=97.0),
            validations=[(iteration or 20, dict(student_top1=90.0)),
                         (last, dict(student_top1=97.0))],
            extra=dict(time_to_ratio={
                '0.98': dict(minutes=minutes, iteration=iteration)
            }),
            **kwargs)

    options = dict(cfg_options=['train_cfg.val_interval=20'])
    records = ResultsFile(
        name='x',
        runs=[
            run('slow', 'a', 0, 6.0, 200, 300, **options),
            run('slow', 'a', 1, 4.0, 160, 300, **options),
            run('fast', 'b', 0, 1.0, 40, 100),
            run('fast', 'b', 1, 2.0, 60, 100),
            run('stuck', 'c', 0, None, None, 100)
        ])
    monkeypatch.setattr(zoo.model_zoo.common, 'load',
                        lambda name: copy.deepcopy(records))
    lines = zoo.time_to_target_table('x', 'configs/dfad', 'slow',
                                     '0.98').splitlines()
    assert 'relative to slow' in lines[0]
    slow, fast, stuck = lines[2:5]
    assert '6.0 (200, seed 0), 4.0 (160, seed 1) | 5.0 | 1.00 | 300 |' in slow
    assert '`train_cfg.val_interval=20`' in slow
    assert '| 1.5 | 0.30 | 100 |' in fast
    assert '| never | - | - | 100 |' in stuck


def test_a_record_without_commit_threads_machine_or_split_is_legacy():
    full = dict(commit='abc', split='test', threads=2, machine='m')
    assert not RunRecord(variant='v', **full).legacy
    for name in full:
        run = RunRecord(variant='v', **dict(full, **{name: None}))
        assert run.legacy and run.missing == [name]
    assert RunRecord(variant='v').missing == [
        'commit', 'threads', 'machine', 'split'
    ]
    assert not SpeedRecord(
        contender='ours', commit='abc', threads=1, machine='m').legacy
    assert SpeedRecord(contender='ours', threads=1, machine='m').legacy
    # Every record written before the fields existed is marked legacy.
    for results in load_all(RESULTS).values():
        for record in results.runs + results.speed:
            if record.commit is None:
                assert record.legacy


def test_provenance_of_a_run_trained_now_and_of_a_finished_one(
        tmp_path, monkeypatch):
    monkeypatch.setenv('OMP_NUM_THREADS', '3')
    now = run_records.provenance(repo=REPO_ROOT)
    assert now['commit'] == run_records.git_commit(REPO_ROOT)
    assert now['threads'] and now['machine'].split()[1:3] == ['CPU', 'cores,']
    assert run_records.provenance(threads=5, machine='here')['threads'] == 5
    # A finished run without run_provenance.json: commit and threads are
    # not this process's (the record is legacy) unless the caller says.
    unknown = run_records.provenance(work_dir=str(tmp_path))
    assert unknown['commit'] is None and unknown['threads'] is None
    # What the training wrote when it started (twice: resumed at another
    # commit) is what the record gets.
    run_records.write_provenance(str(tmp_path), repo=REPO_ROOT)
    path = tmp_path / run_records.PROVENANCE_FILE
    data = json.loads(path.read_text())
    data['starts'].append(dict(data['starts'][0], commit='b' * 40, threads=7))
    path.write_text(json.dumps(data))
    found = run_records.provenance(work_dir=str(tmp_path))
    assert found[
        'commit'] == f"{run_records.git_commit(REPO_ROOT)}, {'b' * 40}"
    assert found['threads'] == 7 and found['machine'] == now['machine']


def test_git_commit_marks_uncommitted_changes(tmp_path):
    import subprocess
    assert run_records.git_commit(str(tmp_path)) is None  # not a checkout

    def git(*args):
        subprocess.run(['git', *args],
                       cwd=tmp_path,
                       check=True,
                       capture_output=True)

    git('init', '-q')
    (tmp_path / 'a.txt').write_text('1')
    git('add', 'a.txt')
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'a')
    clean = run_records.git_commit(str(tmp_path))
    assert len(clean) == 40 and not clean.endswith('-dirty')
    (tmp_path / 'b.txt').write_text('untracked files do not count')
    assert run_records.git_commit(str(tmp_path)) == clean
    (tmp_path / 'a.txt').write_text('2')
    assert run_records.git_commit(str(tmp_path)) == f'{clean}-dirty'


def test_repeats_share_a_run_key_and_copies_count_once():

    def run(top1, seed=0, variant='v', **kwargs):
        return RunRecord(
            variant=variant,
            config='c.py',
            seed=seed,
            metrics=dict(student_top1=top1),
            **kwargs)

    first, rerun = run(97.3), run(96.9, cfg_options=['randomness.seed=0'])
    assert run_records.run_key(first) == run_records.run_key(rerun)
    assert run_records.run_key(first) != run_records.run_key(run(97.3, seed=1))
    assert run_records.run_key(first) != run_records.run_key(
        run(97.3, variant='w'))
    assert run_records.run_key(first) != run_records.run_key(
        run(97.3, split='val'))
    copy_ = run(96.9, extra=dict(work_dir='seed0'))
    assert run_records.distinct_runs([first, rerun, copy_]) == [first, rerun]
    diverged = [
        RunRecord(variant='v', extra=dict(diverged_at_iteration=i))
        for i in (17, 17, 35)
    ]
    assert run_records.distinct_runs(diverged) == [diverged[0], diverged[2]]


def fake_results(monkeypatch, zoo, files):
    """Make every table read ``files`` ({name: ResultsFile}) instead of
    results/ (the tables' loader and the index of every run)."""
    common = zoo.model_zoo.common
    monkeypatch.setattr(common, 'load',
                        lambda name: copy.deepcopy(files[name]))
    monkeypatch.setattr(
        common, 'all_runs',
        lambda: [run for name in sorted(files) for run in files[name].runs])


AUDITED = dict(commit='a' * 40, split='test', threads=2, machine='m')


def recipe_run(variant, seed, top1, **kwargs):
    return RunRecord(
        variant=variant,
        config='configs/dfad/c.py',
        seed=seed,
        metrics=dict(student_top1=top1),
        teacher_metrics=dict(teacher_top1=90.0),
        wall_time_s=600.0,
        extra=dict(time_to_ratio={}),
        **kwargs)


def test_every_run_of_a_config_and_seed_is_shown_none_chosen(monkeypatch):
    zoo = load_zoo()
    files = dict(
        x=ResultsFile(
            name='x',
            runs=[recipe_run('r', 0, 70.0),
                  recipe_run('r', 1, 72.0)]),
        # The same config and seed run again, and a copy of seed 1's run.
        y=ResultsFile(
            name='y',
            runs=[recipe_run('r', 0, 80.0),
                  recipe_run('r', 1, 72.0)]))
    fake_results(monkeypatch, zoo, files)
    row = zoo.recipes_table('x', 'configs/dfad').splitlines()[2]
    assert '70.00 / 80.00 (seed 0, 2 runs), 72.00 (seed 1)' in row
    assert '74.00 +- 5.29' in row  # the mean of all three runs
    # Records lacking commit, threads, machine or split are marked.
    assert row.startswith('| r \u2020 |')
    assert 'Legacy record' in zoo.recipes_table('x', 'configs/dfad')


def test_legacy_runs_are_never_pooled_with_auditable_ones(monkeypatch):
    zoo = load_zoo()
    files = dict(
        x=ResultsFile(
            name='x',
            runs=[
                recipe_run('r', 0, 70.0),
                recipe_run('r', 0, 76.0, **AUDITED),
                recipe_run('r', 1, 78.0, **AUDITED)
            ]))
    fake_results(monkeypatch, zoo, files)
    text = zoo.recipes_table('x', 'configs/dfad')
    audited, legacy = text.splitlines()[2:4]
    assert audited.startswith('| r |') and '77.00 +- 1.41' in audited
    assert legacy.startswith('| r \u2020 |') and '| 70.00 \u2020 |' in legacy
    # Only auditable runs: nothing marked, no footnote.
    files['x'].runs = files['x'].runs[1:]
    assert '\u2020' not in zoo.recipes_table('x', 'configs/dfad')


def test_no_table_hides_a_recorded_run():
    zoo = load_zoo()
    assert zoo.audit(zoo.SECTIONS) == []


def test_the_check_fails_when_a_table_drops_a_run(capsys, monkeypatch):
    zoo = load_zoo()
    common = zoo.model_zoo.common
    original = common.with_repeats

    def one_run_less(runs):
        return original(runs)[:-1]

    monkeypatch.setattr(common, 'with_repeats', one_run_less)
    problems = zoo.audit(zoo.SECTIONS)
    assert ("configs/dfad/README.md <!-- mnist-results -->: '97.20': 1 "
            "recorded run (label_free_selection.json 'plain-dfad' seed 2), 0 "
            'in the table') in problems
    # The mean and the count follow the recorded runs: any that are added
    # later keep the check's message the same.
    assert any(
        re.fullmatch(
            r"README.md <!-- results -->: mnist_dfad.json 'plain-dfad': the "
            r'mean \d+\.\d\d of its \d+ runs of \d+ seeds is not shown',
            problem) for problem in problems), problems
    assert zoo.main(['--check']) == 1
    assert 'A table hides a recorded run' in capsys.readouterr().out


def test_the_freeze_recipe_is_not_called_dfad_and_plain_dfad_is_listed(
        monkeypatch):
    zoo = load_zoo()
    common = zoo.model_zoo.common
    original = common.load

    def without_throughout(name):
        # The rows as they read before any plain-DFAD run was recorded.
        results = original(name)
        results.runs = [
            run for run in results.runs if run.variant != common.THROUGHOUT
        ]
        return results

    monkeypatch.setattr(common, 'load', without_throughout)
    summary = zoo.summary_table()
    assert '| DFAD + generator freeze at 300 (recipe) \u2020 |' in summary
    lenet = [line for line in summary.splitlines() if 'LeNet' in line]
    assert not any('| DFAD |' in line for line in lenet)
    for text in (summary, zoo.family_table(), zoo.dfad_table('mnist')):
        assert text.count('plain DFAD (generator trained throughout) | ') \
            >= 1
        assert 'not measured yet' in text
        assert 'param_scheduler.generator.0.T_max=1200 ' \
            'param_scheduler.generator.0.end=1201' in text

    # Recorded, the row shows its runs.
    def with_throughout(name):
        results = without_throughout(name)
        if name == 'mnist_recipes':
            results.runs.append(
                RunRecord(
                    variant=common.THROUGHOUT,
                    config=common.DFAD_CONFIGS['mnist'],
                    cfg_options=list(common.THROUGHOUT_OPTIONS),
                    seed=0,
                    metrics=dict(student_top1=95.5),
                    teacher_metrics=dict(teacher_top1=98.25),
                    **AUDITED))
        return results

    monkeypatch.setattr(common, 'load', with_throughout)
    row = next(line for line in zoo.summary_table().splitlines()
               if 'generator trained throughout' in line)
    assert '| 95.50 (1 seed) |' in row and 'not measured' not in row


def test_speed_columns_say_what_they_hold_and_compare_like_for_like():
    zoo = load_zoo()
    text = zoo.speed_table()
    titles = text.splitlines()[0].split(' | ')
    assert 'ours / bare' not in titles
    assert 'ours / MMRazor (runner / train_step)' not in titles
    assert 'speed-up vs bare (bare s \u00f7 ours s)' in text
    rows = {line.split(' | ')[0]: line for line in text.splitlines()}
    shipped = rows['| LeNet-5 -> LeNet-5-half MNIST (256), as shipped \u2020']
    like = next(line for key, line in rows.items()
                if 'MNIST (256), like for like' in key)
    assert '| channels_last / NCHW |' in shipped and '| 2.92 / 3.02 |' in \
        shipped
    # ours with model.channels_last=False: 1.236 s / 0.617 s
    assert '| NCHW / NCHW |' in like and '| 2.01 / 2.07 |' in like


def test_a_training_start_writes_its_provenance(tmp_path, monkeypatch):
    from mmrazor_dfad.apis import train as train_api
    started = []
    monkeypatch.setattr(train_api, '_train',
                        lambda cfg, args, notes: started.append(cfg))
    work_dir = tmp_path / 'run'
    config = osp.join(REPO_ROOT, 'configs', 'dfad',
                      'dfad_logits_lenet5_lenet5half_1xb256_mnist.py')
    train_api.main([config, '--work-dir', str(work_dir)])
    train_api.main([config, '--work-dir', str(work_dir)])  # a resume
    assert len(started) == 2
    starts = run_records.read_starts(str(work_dir))
    assert len(starts) == 2
    assert starts[0]['commit'] == run_records.git_commit(REPO_ROOT)
    # What a benchmark script records for the finished run.
    assert run_records.provenance(work_dir=str(work_dir)) == dict(
        commit=starts[0]['commit'],
        threads=starts[1]['threads'],
        machine=starts[1]['machine'])


def scene_run(variant, seed, miou, **metrics):
    return RunRecord(
        variant=variant,
        config=f'configs/segmentation/{variant}.py',
        seed=seed,
        metrics=dict(student_mIoU=miou, **metrics),
        teacher_metrics=dict(teacher_mIoU=66.7),
        wall_time_s=1200.0,
        extra=dict(
            best_val_selected=dict(student_mIoU=miou + 1),
            per_class_iou=dict(sky=90.0 + seed, Bag=None)),
        **AUDITED)


def test_the_scene_table_compares_with_the_teacher_and_the_best_kd_ori(
        monkeypatch):
    zoo = load_zoo()
    segmentation = zoo.model_zoo.segmentation
    files = dict(
        fashion_scenes=ResultsFile(
            name='fashion_scenes',
            runs=[
                scene_run('kd-kl', 0, 58.0),
                scene_run('kd-cwd-ce', 0, 62.0),
                scene_run('kd-cwd-ce', 1, 60.0),
                scene_run(
                    'dfad',
                    0,
                    45.0,
                    student_mIoU_things=35.0,
                    fidelity_mIoU=50.0),
            ]))
    fake_results(monkeypatch, zoo, files)
    monkeypatch.setattr(segmentation.osp, 'isfile', lambda path: True)
    lines = segmentation.scenes_table('docs').splitlines()
    rows = {line.split(' | ')[1]: line for line in lines[2:5]}
    assert set(rows) == {'kd-kl', 'kd-cwd-ce', 'dfad'}
    # The best KD-ORI is the best mean (kd-cwd-ce, 61.00), not a run.
    dfad = rows['dfad'].split(' | ')
    assert dfad[0] == '| DFAD (plain)' and dfad[4] == '35.00'
    assert dfad[5] == '50.00'
    assert dfad[6] == f'{45 / 66.7:.3f}' and dfad[7] == f'{45 / 61:.3f}'
    assert dfad[9] == '46.00'  # the best validation, labelled best-of-run
    assert 'Best KD-ORI: kd-cwd-ce (61.00)' in '\n'.join(lines)
    per_class = segmentation.scenes_per_class_table().splitlines()
    assert per_class[0] == '| row | mIoU of each run | sky | Bag |'
    assert '| KD-ORI: kd-cwd-ce | 62.00 / 60.00 | 90.50 | - |' in per_class
