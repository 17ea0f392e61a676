# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Harnesses of this repository's own tests, tools and benchmarks; private
(no API promise), as MMEngine's ``mmengine.testing._internal``.

- :mod:`.fault_injection`: faults injected into a training (kills during a
  save, a full disk, an exploding learning rate, a hung rank).
- :mod:`.fresh_process`: ``tools/train.py`` / ``tools/test.py`` in fresh
  processes forked from one server that imported the libraries once.
- :mod:`.tool_runs`: the tools' code in this process, one experiment name
  per run.
- :mod:`.mmrazor_reference`: MMRazor's data-free algorithms beside ours.
- :mod:`.offline`, :mod:`.without_mmcls`: a machine without network, a
  process without MMCls.
- :mod:`.latent_draws`: the latent noise each rank drew.

Importing any of them registers nothing and patches nothing: each installs
what it needs only while a function of it runs (or when run with
``python -m``). This ``__init__`` imports none of them.
"""
