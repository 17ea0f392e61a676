# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The one schema of ``results/*.json``: every file loads, dumps back to
itself, malformed records are refused with the field named, and the
generated tables equal the ones in the repository."""
import copy
import importlib.util
import json
import os
import os.path as osp

import pytest

from mmrazor_dfad.utils.run_records import (SCHEMA, ResultsFile, RunRecord,
                                            SpeedRecord, dump_results,
                                            dumps_results, load_all,
                                            load_or_create, load_results,
                                            results_from_dict, summarize)

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
    results.replace_variant('b', [
        run('b', 0, 72.0, wall_time_s=60.0),
        run('b', 1, 78.0, wall_time_s=180.0),
        run('b', 2, extra=dict(diverged_at_iteration=17))
    ])
    order = [(item.variant, item.seed) for item in results.runs]
    assert order == [('a', 0), ('b', 0), ('b', 1), ('b', 2), ('c', 0)]
    results.replace_variant('d', [run('d', 0, 1.0)])
    assert list(results.variants()) == ['a', 'b', 'c', 'd']
    stats = summarize(results.variants()['b'])
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
            results.runs[0].metrics['student_top1'] += 1.0
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
    slow, fast, stuck = lines[2:]
    assert '6.0 (200, seed 0), 4.0 (160, seed 1) | 5.0 | 1.00 | 300 |' in slow
    assert '`train_cfg.val_interval=20`' in slow
    assert '| 1.5 | 0.30 | 100 |' in fast
    assert '| never | - | - | 100 |' in stuck
