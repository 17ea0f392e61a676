# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Let ``mim`` find an editable (``pip install -e .``) mmrazor_dfad.

``mim train/test mmrazor_dfad ...`` looks for configs and tools under
``<site-packages>/mmrazor_dfad/.mim``. A PEP 660 editable install leaves
only a ``.dist-info`` and an import hook in site-packages, so mim finds
nothing. This links ``<site-packages>/mmrazor_dfad`` to the source package
(whose ``.mim`` links to ``configs/`` and ``tools/``). Run it once after
``pip install -e .`` (``make install`` does); remove the link with
``--remove`` before ``pip uninstall``.

    python tools/misc/mim_editable_link.py [--remove] [--force]

A link left by another checkout is named: a dangling one (the checkout
moved or was deleted) is replaced; one to another existing checkout is
replaced only with ``--force``.
"""
import argparse
import os
import os.path as osp
import sysconfig
from typing import List, Optional

SOURCE = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'mmrazor_dfad')


def main(argv: Optional[List[str]] = None) -> None:
    """Link, relink or remove ``<site-packages>/mmrazor_dfad``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--remove', action='store_true')
    parser.add_argument(
        '--force',
        action='store_true',
        help='replace a link to another checkout by one to this checkout')
    args = parser.parse_args(argv)
    link = osp.join(sysconfig.get_paths()['purelib'], 'mmrazor_dfad')
    if args.remove:
        if osp.islink(link):
            os.remove(link)
            print(f'removed {link}')
        return
    if osp.islink(link):
        target = osp.realpath(link)
        if target == osp.realpath(SOURCE):
            print(f'{link} already links to {SOURCE}')
            return
        if osp.isdir(target) and not args.force:
            raise SystemExit(
                f'{link} links to another checkout, {os.readlink(link)}, '
                f'not to {SOURCE}: mim and imports use that one. Rerun with '
                '--force to link this checkout instead (and pip install -e . '
                'here so the editable install agrees).')
        points_to = os.readlink(link)
        reason = 'another checkout' if osp.isdir(target) else \
            'a folder that no longer exists (a moved or deleted checkout)'
        os.remove(link)
        print(f'{link} linked to {reason}, {points_to}; replacing it.')
    elif osp.lexists(link):
        raise SystemExit(
            f'{link} is a regular folder, not a link: a regular '
            '(non-editable) install is there; mim already finds it.')
    if not osp.isdir(osp.join(SOURCE, '.mim')):
        raise SystemExit(f'{SOURCE}/.mim is missing: run pip install -e . '
                         'first (setup.py creates it).')
    os.symlink(SOURCE, link)
    print(f'linked {link} -> {SOURCE}')


if __name__ == '__main__':
    main()
