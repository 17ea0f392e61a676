# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The parts of ``.dev_scripts/update_model_zoo.py``.

- :mod:`.common`: which record holds which runs, the one loader of
  ``results/*.json`` (``common.load``) and the table cells and builder.
- :mod:`.tables`: the tables of one record each (configs/*/README.md,
  docs/*.md).
- :mod:`.overview`: the tables across records (README.md, docs/speed.md).
- :mod:`.metafiles`: ``configs/*/metafile.yml`` and their templates.
- :mod:`.render`: which table goes between which markers of which file,
  and rewriting or checking them all.
- :mod:`.audit`: the check that no table hides a recorded run.
"""
from . import audit, common, metafiles, overview, render, tables

__all__ = ['audit', 'common', 'metafiles', 'overview', 'render', 'tables']
