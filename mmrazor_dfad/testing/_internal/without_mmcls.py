# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Run a script in a process where ``import mmcls`` fails.

    python -m mmrazor_dfad.testing._internal.without_mmcls \
        tools/train.py CONFIG ...

Shows that what the script does needs no MMCls (e.g. with MMPretrain as
the only classification library), without uninstalling MMCls.
"""
import runpy
import sys
from importlib.abc import MetaPathFinder


class RefuseMMCls(MetaPathFinder):
    """An import hook that makes ``mmcls`` and its submodules unimportable."""

    def find_spec(self, name, path=None, target=None):
        """Refuse ``mmcls`` and ``mmcls.*``; leave the rest to the others."""
        if name == 'mmcls' or name.startswith('mmcls.'):
            raise ImportError(
                f"No module named '{name}' (MMCls is hidden "
                'by mmrazor_dfad.testing._internal.without_mmcls)')
        return None


def main() -> None:
    """Hide MMCls, then run ``sys.argv[1]`` with the remaining arguments."""
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.meta_path.insert(0, RefuseMMCls())
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name='__main__')


if __name__ == '__main__':
    main()
