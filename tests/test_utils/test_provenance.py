# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""What the package records of a training's start (``run_provenance.json``)
and what it no longer ships: the results ledger is ``.dev_scripts``'s
(tests/test_utils/test_run_records.py)."""
import importlib.util
import json

from mmrazor_dfad.utils import provenance


def test_each_start_of_a_training_is_appended(tmp_path):
    work_dir = tmp_path / 'run'
    assert provenance.read_starts(str(work_dir)) == []
    # Outside a git checkout the commit is unknown.
    first = provenance.write_provenance(str(work_dir), repo=str(tmp_path))
    second = provenance.write_provenance(str(work_dir), repo=str(tmp_path))
    assert first['commit'] is None
    assert first['machine'] == provenance.current_machine()
    assert first['threads'] == provenance.current_threads()
    assert provenance.read_starts(str(work_dir)) == [first, second]
    with open(work_dir / provenance.PROVENANCE_FILE) as file:
        assert json.load(file) == dict(starts=[first, second])
    # A damaged file reads as no start, and the next start rewrites it.
    (work_dir / provenance.PROVENANCE_FILE).write_text('{not json')
    assert provenance.read_starts(str(work_dir)) == []


def test_the_package_ships_no_results_ledger():
    import mmrazor_dfad.utils as utils
    for name in ('run_records', 'package_loading'):
        assert importlib.util.find_spec(f'mmrazor_dfad.utils.{name}') is None
    assert not hasattr(utils, 'ResultsFile')
