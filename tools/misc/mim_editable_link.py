# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Let ``mim`` find an editable (``pip install -e .``) mmrazor_dfad.

``mim train/test mmrazor_dfad ...`` looks for configs and tools under
``<site-packages>/mmrazor_dfad/.mim``. A PEP 660 editable install leaves
only a ``.dist-info`` and an import hook in site-packages, so mim finds
nothing. This links ``<site-packages>/mmrazor_dfad`` to the source package
(whose ``.mim`` links to ``configs/`` and ``tools/``). Run it once after
``pip install -e .`` (``make install`` does); remove the link with
``--remove`` before ``pip uninstall``.

    python tools/misc/mim_editable_link.py [--remove]
"""
import argparse
import os
import os.path as osp
import sysconfig

SOURCE = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'mmrazor_dfad')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--remove', action='store_true')
    args = parser.parse_args()
    link = osp.join(sysconfig.get_paths()['purelib'], 'mmrazor_dfad')
    if args.remove:
        if osp.islink(link):
            os.remove(link)
            print(f'removed {link}')
        return
    if osp.islink(link) and osp.realpath(link) == osp.realpath(SOURCE):
        print(f'{link} already links to {SOURCE}')
        return
    if osp.lexists(link):
        raise SystemExit(
            f'{link} exists and is not a link to {SOURCE}: a regular '
            '(non-editable) install is there; mim already finds it.')
    if not osp.isdir(osp.join(SOURCE, '.mim')):
        raise SystemExit(f'{SOURCE}/.mim is missing: run pip install -e . '
                         'first (setup.py creates it).')
    os.symlink(SOURCE, link)
    print(f'linked {link} -> {SOURCE}')


if __name__ == '__main__':
    main()
