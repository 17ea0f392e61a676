# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What ``mmrazor_dfad.testing._internal.tool_runs`` changes in a tool's
command line and in MMEngine's config texts (runs: the integration
tests)."""
from mmengine.config import Config

from mmrazor_dfad.testing._internal import tool_runs


def test_every_run_gets_an_experiment_name_of_its_own():
    first = tool_runs._with_experiment_name(
        ['a.py', '--cfg-options', 'x=1', '--resume'])
    second = tool_runs._with_experiment_name(['a.py', '--resume'])
    assert first[:2] == ['a.py', '--cfg-options']
    assert first[2].startswith('experiment_name=')
    assert first[3:] == ['x=1', '--resume']
    assert second[:2] == ['a.py', '--resume']
    assert second[2] == '--cfg-options'
    assert second[3].startswith('experiment_name=') and second[3] != first[2]


def test_unformatted_config_texts_are_the_same_python(tmp_path):
    # conftest.py keeps configs unformatted for the whole session.
    assert tool_runs.configs_unformatted()
    cfg = Config(dict(model=dict(type='ToyClassifier', width=4), lr=0.1))
    path = tmp_path / 'cfg.py'
    cfg.dump(str(path))
    assert Config.fromfile(str(path)).model == cfg.model
