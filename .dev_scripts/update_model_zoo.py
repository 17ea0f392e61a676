# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Write every results table and the metafiles from ``results/*.json``.

    python .dev_scripts/update_model_zoo.py           # rewrite
    python .dev_scripts/update_model_zoo.py --check   # exit 1 if stale

Each measured number has one home, a record in ``results/*.json`` read only
through ``.dev_scripts/run_records``; the tables in README.md,
configs/*/README.md and docs/ (between ``<!-- NAME-begin/end -->`` markers)
and configs/*/metafile.yml are rendered from them here. Benchmark scripts
call this after writing their JSON; ``make lint`` runs ``--check``. Both
fail when a table hides a recorded run (``model_zoo/audit.py``): a row
shows every run of its configs and seeds, legacy runs marked.

The work is done by the ``model_zoo`` package next to this script (see its
``__init__.py``); this file loads it and keeps its names reachable.
"""
import argparse
import sys
from typing import List, Optional

# The package next to this script (the script's folder is on the import
# path; the tests put .dev_scripts there: pyproject.toml).
import model_zoo

# The script's names from before the parts moved out. Every table reads
# through ``model_zoo.common.load``: patch that one, not this copy.
REPO = model_zoo.common.REPO
load = model_zoo.common.load
SECTIONS = model_zoo.render.SECTIONS
WHOLE_FILES = model_zoo.render.WHOLE_FILES
render = model_zoo.render.render
metafile = model_zoo.metafiles.metafile
dfad_table = model_zoo.tables.dfad_table
recipes_table = model_zoo.tables.recipes_table
time_to_target_table = model_zoo.tables.time_to_target_table
ablation_table = model_zoo.tables.ablation_table
exploration_table = model_zoo.tables.exploration_table
family_results = model_zoo.tables.family_results
label_free_tables = model_zoo.tables.label_free_tables
summary_table = model_zoo.overview.summary_table
family_table = model_zoo.overview.family_table
speed_table = model_zoo.overview.speed_table
speed_variants_table = model_zoo.overview.speed_variants_table
audit = model_zoo.audit.audit


def main(argv: Optional[List[str]] = None) -> int:
    """Rewrite (or, with ``--check``, compare) every generated part."""
    parser = argparse.ArgumentParser(
        description='Render the tables of README.md, configs/*/README.md and '
        'docs/*.md (between <!-- NAME-begin/end --> markers) and '
        'configs/*/metafile.yml from the run records in results/*.json.')
    parser.add_argument(
        '--check',
        action='store_true',
        help='write nothing; exit 1 and show the difference when a file '
        'differs from what results/*.json give')
    args = parser.parse_args(argv)
    return model_zoo.render.update(args.check)


if __name__ == '__main__':
    sys.exit(main())
