# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Which table goes between which markers of which page, which files are
generated whole, and rewriting (or checking) them all."""
import difflib
import os.path as osp
import sys
from functools import partial
from typing import Callable, Dict, Tuple

from .audit import audit
from .common import DATASETS, FAMILY, PAPERS, REPO
from .metafiles import metafile
from .overview import (family_table, speed_table, speed_variants_table,
                       summary_table)
from .segmentation import (generator_sizes_table, mosaic_table,
                           scenes_exploration_table, scenes_per_class_table,
                           scenes_table, segmentation_metafile)
from .tables import (ablation_table, demo_table, dfad_table, exploration_table,
                     family_results, label_free_tables, recipes_table,
                     time_to_target_table)

# The mosaic benchmark's main rows and its ablation rows.
MOSAIC_MAIN = ('dfad', 'kd-kl-real-canvases', 'kd-l1-real-canvases',
               'untrained-generator')
MOSAIC_ABLATION = ('dfad', 'dfad-replay', 'dfad-priors', 'dfad-tv', 'dfad-ema',
                   'dfad-bn')
# page -> marker NAME -> what goes between <!-- NAME-begin/end -->.
SECTIONS: Dict[str,
               Dict[str, Callable[[], str]]] = {
                   'README.md':
                   dict(
                       results=summary_table,
                       family=family_table,
                       speed=speed_table,
                       demo=demo_table),
                   'configs/dfad/README.md': {
                       'mnist-results':
                       partial(dfad_table, 'mnist'),
                       'mnist-recipes':
                       partial(recipes_table, 'mnist_recipes', 'configs/dfad',
                               ('0.95', '0.98')),
                       'mnist-time-to-target':
                       partial(time_to_target_table, 'mnist_time_to_target',
                               'configs/dfad', 'plain-dfad', '0.98'),
                       'fashion_mnist-results':
                       partial(dfad_table, 'fashion_mnist'),
                       'fashion_mnist-recipes':
                       partial(recipes_table, 'fashion_mnist_recipes',
                               'configs/dfad'),
                   },
                   'docs/method_components.md': {
                       'fashion_mnist-ablation':
                       partial(ablation_table, 'fashion_mnist_ablation',
                               'fashion_mnist_dfad')
                   },
                   'docs/experiments.md': {
                       **{
                           f'{dataset}-exploration': partial(
                               exploration_table, f'{dataset}_exploration')
                           for dataset in DATASETS
                       }, 'fashion_mnist-synthesis':
                       partial(exploration_table, 'fashion_mnist_synthesis')
                   },
                   'docs/label_free_evaluation.md': {
                       'label-free-selection': label_free_tables
                   },
                   'configs/segmentation/README.md': {
                       'scenes-results':
                       partial(scenes_table, 'configs/segmentation'),
                   },
                   'docs/segmentation.md': {
                       'scenes-results':
                       partial(scenes_table, 'docs'),
                       'scenes-per-class':
                       scenes_per_class_table,
                       'scenes-exploration':
                       scenes_exploration_table,
                       'mosaic-results':
                       partial(mosaic_table, MOSAIC_MAIN, 'docs'),
                       'mosaic-ablation':
                       partial(
                           mosaic_table,
                           MOSAIC_ABLATION,
                           'docs',
                           reference='dfad'),
                       'generator-sizes':
                       generator_sizes_table
                   },
                   'docs/speed.md': {
                       'speed': speed_table,
                       'speed-variants': speed_variants_table
                   },
                   **{
                       f'{PAPERS[algorithm][0]}/README.md': {
                           f'{dataset}-results': partial(
                               family_results, dataset, algorithm)
                           for dataset in DATASETS
                       }
                       for algorithm in FAMILY
                   }
               }
# file -> its whole text.
WHOLE_FILES = {
    **{
        f'configs/{algorithm}/metafile.yml': partial(metafile, algorithm)
        for algorithm in PAPERS
    }, 'configs/segmentation/metafile.yml': segmentation_metafile
}


def render(path: str) -> Tuple[str, str]:
    """The current text of the generated file ``path`` and the one the
    results give (each marked section, or the whole file, rendered)."""
    current = ''
    if osp.isfile(osp.join(REPO, path)):
        with open(osp.join(REPO, path), encoding='utf-8') as file:
            current = file.read()
    if path in WHOLE_FILES:
        return current, WHOLE_FILES[path]()
    text = current
    for name, renderer in SECTIONS[path].items():
        begin, end = f'<!-- {name}-begin -->', f'<!-- {name}-end -->'
        if begin not in text or end not in text:
            raise KeyError(f'{path} has no {begin} ... {end} markers.')
        before, rest = text.split(begin, 1)
        text = f'{before}{begin}\n{renderer()}\n{end}{rest.split(end, 1)[1]}'
    return current, text


def update(check: bool) -> int:
    """Rewrite every generated file that differs from what the results
    give; with ``check``, write nothing and print the differences instead.
    Either way, check that no table hides a recorded run (:func:`audit`).
    Returns the exit code: 1 if ``check`` found a stale file or a table
    hides a run, else 0."""
    stale = {}
    for path in [*SECTIONS, *WHOLE_FILES]:
        old, new = render(path)
        if old != new:
            stale[path] = old, new
    for path, (old, new) in stale.items():
        if check:
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), path,
                    f'{path} (from results/*.json)'))
            continue
        with open(osp.join(REPO, path), 'w', encoding='utf-8') as file:
            file.write(new)
        print(f'updated {path}')
    if check and stale:
        print(f'\nStale: {", ".join(stale)}. Run python '
              '.dev_scripts/update_model_zoo.py and commit.')
    hidden = audit(SECTIONS)
    for problem in hidden:
        print(f'A table hides a recorded run: {problem}')
    if hidden:
        print('\nEvery run of a shown variant\'s configs and seeds in '
              'results/*.json must appear in its table (.dev_scripts/'
              'model_zoo/audit.py): show it, do not drop it.')
    return int(bool(check and stale) or bool(hidden))
