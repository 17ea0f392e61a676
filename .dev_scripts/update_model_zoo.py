# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Write every results table and the metafiles from ``results/*.json``.

    python .dev_scripts/update_model_zoo.py           # rewrite
    python .dev_scripts/update_model_zoo.py --check   # exit 1 if stale

Each measured number has one home, a JSON file under ``results/``; the
tables in README.md, configs/{dfad,dafl,zskt}/README.md and docs/, between
``<!-- NAME-begin -->`` and ``<!-- NAME-end -->`` markers, and the whole of
configs/{dfad,dafl,zskt}/metafile.yml are rendered from it here. The
benchmark scripts
call this after writing their JSON; tests/test_model_zoo.py runs
``--check``.
"""
import argparse
import difflib
import functools
import importlib.util
import json
import os.path as osp
import statistics
import sys
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CIFAR_CONFIG = 'configs/dfad/dfad_logits_resnet34_resnet18_8xb32_cifar10.py'
DFAD_BENCHMARKS = OrderedDict(
    mnist='results/mnist_dfad.json',
    fashion_mnist='results/fashion_mnist_dfad.json')
# The recipe the README recommends per dataset: (record, recipe name).
RECOMMENDED_RECIPES = dict(
    mnist=('results/mnist_recipes.json', 'replay-priors-tv'),
    fashion_mnist=('results/fashion_mnist_recipes.json',
                   'replay-priors-tv-ema'))
# DAFL's and ZSKT's records (benchmark_recipe.py, one recipe per algorithm),
# each algorithm's model-zoo folder, and its paper and module.
FAMILY = OrderedDict(
    mnist='results/mnist_family.json',
    fashion_mnist='results/fashion_mnist_family.json')
FAMILY_FOLDERS = OrderedDict(dafl='configs/dafl', zskt='configs/zskt')
FAMILY_PAPERS = dict(
    dafl=('Data-Free Learning of Student Networks',
          'https://arxiv.org/abs/1904.01186',
          'dafl_data_free_distillation.py'),
    zskt=('Zero-Shot Knowledge Transfer via Adversarial Belief Matching',
          'https://arxiv.org/abs/1905.09768', 'data_free_distillation.py'))
TEACHERS = dict(
    mnist=dict(
        name='LeNet-5',
        config='configs/vanilla/lenet5_1xb64_mnist.py',
        weights='checkpoints/lenet5_mnist.pth',
        dataset='MNIST (offline 8,000 / 2,000 split)'),
    fashion_mnist=dict(
        name='LeNet-5',
        config='configs/vanilla/lenet5_1xb64_fashionmnist.py',
        weights='checkpoints/lenet5_fashionmnist.pth',
        dataset='Fashion-MNIST'))


def load(path: str) -> dict:
    """The JSON at ``path`` (relative to the repository)."""
    with open(osp.join(REPO, path)) as file:
        return json.load(file)


def fmt(value: Optional[float], digits: int = 2) -> str:
    """A number for a table; ``-`` when there is none."""
    return '-' if value is None else f'{value:.{digits}f}'


def spread(values: List[float]) -> str:
    """``mean +- std`` of per-seed values (sample std)."""
    if len(values) < 2:
        return fmt(values[0]) if values else '-'
    return f'{statistics.mean(values):.2f} +- {statistics.stdev(values):.2f}'


def link(text: str, path: str, base: str) -> str:
    """A markdown link to ``path`` (repository-relative) from ``base``."""
    target = osp.relpath(osp.join(REPO, path), osp.join(REPO, base))
    return f'[{text}]({target})'


def dfad_table(dataset: str) -> str:
    """The benchmark table of one dataset: DFAD over seeds and baselines."""
    results = load(DFAD_BENCHMARKS[dataset])
    finals = results['student_top1_final']
    teacher = TEACHERS[dataset]
    base = 'configs/dfad'
    lines = [
        '| Teacher (top-1) | Student | final top-1 per seed | mean +- std '
        '| ratio to teacher | best during training, test-selected (per '
        'seed) | agreement | time / run | config | teacher weights |',
        '| :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: |',
        f"| {teacher['name']} ({results['teacher_top1']:.2f}) | LeNet-5-half "
        '| ' + ', '.join(f'{value:.2f} (seed {seed})'
                         for seed, value in zip(results['seeds'], finals)) +
        f" | {spread(finals)} | {results['ratio_mean']:.3f} | " +
        ', '.join(fmt(value) for value in results['student_top1_best']) +
        f" | {statistics.mean(results['agreement']):.2f} | "
        f"{statistics.mean(results['wall_time_s']) / 60:.1f} min | "
        f"{link('config', results['config'], base)} | "
        f"{link('weights', teacher['weights'], base)} · "
        f"{link('log', teacher['weights'][:-4] + '.log', base)} |",
        '',
        '| Baseline (same student) | top-1 |',
        '| :-- | :-: |',
    ]
    lines += [
        f'| {name} | {value:.2f} |'
        for name, value in results['baselines'].items()
    ]
    lines += [
        '', f"Measured on {results['machine']} with `{results['command']}` "
        f"({results['date']}), {results['iterations']} iterations, "
        f"{results['num_test_images']} test images."
    ]
    return '\n'.join(lines)


def config_cell(recipe: dict, base: str) -> str:
    """A recipe's config as a link relative to ``base``, followed by its
    ``--cfg-options`` overrides (if any)."""
    config = link(osp.basename(recipe['config']), recipe['config'], base)
    options = ' '.join(recipe.get('cfg_options', []))
    return config + (f' `{options}`' if options else '')


def recipes_table(path: str,
                  base: str,
                  ratios: Sequence[str] = ('0.90', '0.95'),
                  names: Optional[Sequence[str]] = None) -> str:
    """The recipes of a ``benchmark_recipe.py`` record: final top-1 per
    seed, mean, std, ratio to the teacher, minutes per run and minutes
    (iterations) to the given fractions of the teacher's top-1 and how the
    runs shared the machine; links relative to the folder ``base``; only
    ``names`` when given."""
    lines = [
        '| recipe | config (and overrides) | final top-1 per seed | mean +- '
        'std | ratio to teacher | minutes per run | minutes (iterations) to ' +
        ' / '.join(ratios) + ' of the teacher | measured on |',
        '| :-- | :-- | :-: | :-: | :-: | :-: | :-: | :-- |'
    ]

    def reached(run: dict, ratio: str) -> str:
        hit = run['time_to_ratio'][ratio]
        if hit['iteration'] is None:
            return 'never'
        return f"{fmt(hit['minutes'], 1)} ({hit['iteration']})"

    for name, recipe in load(path)['recipes'].items():
        if names is not None and name not in names:
            continue
        runs = recipe['seeds']
        finals = [run['student_top1_final'] for run in runs]
        wall = [run['wall_time_s'] / 60 for run in runs]
        lines.append(f'| {name} | {config_cell(recipe, base)} | ' +
                     ', '.join(f"{value:.2f} (seed {run['seed']})"
                               for value, run in zip(finals, runs)) +
                     f" | {spread(finals)} | {recipe['ratio_mean']:.3f} | "
                     f'{min(wall):.1f}-{max(wall):.1f} | ' + ', '.join(
                         ' / '.join(reached(run, ratio) for ratio in ratios)
                         for run in runs) + f" | {recipe['machine']} |")
    return '\n'.join(lines)


def time_to_target_table(path: str, base: str, baseline: str,
                         ratio: str) -> str:
    """Minutes (iterations) until each recipe of a ``benchmark_recipe.py``
    record first reached ``ratio`` of the teacher's top-1, per seed, and the
    mean minutes relative to the recipe named ``baseline``; links relative
    to the folder ``base``. The runs may stop early (the iterations run are
    shown): only the time to the target is read from them."""
    recipes = load(path)['recipes']

    def minutes(run: dict) -> Optional[float]:
        return run['time_to_ratio'][ratio]['minutes']

    def mean_minutes(recipe: dict) -> Optional[float]:
        values = [minutes(run) for run in recipe['seeds']]
        return None if None in values else statistics.mean(values)

    reference = mean_minutes(recipes[baseline])
    lines = [
        f'| recipe | config (and overrides) | minutes (iterations) to {ratio} '
        'of the teacher, per seed | mean minutes | relative to '
        f'{baseline} | iterations run | measured on |',
        '| :-- | :-- | :-: | :-: | :-: | :-: | :-- |'
    ]
    for name, recipe in recipes.items():
        runs = recipe['seeds']
        per_seed = ', '.join(
            'never' if minutes(run) is None else
            f"{minutes(run):.1f} ({run['time_to_ratio'][ratio]['iteration']}"
            f", seed {run['seed']})" for run in runs)
        mean = mean_minutes(recipe)
        relative = '-' if mean is None or not reference else \
            f'{mean / reference:.2f}'
        last = sorted({run['validations'][-1][0] for run in runs})
        lines.append(f'| {name} | {config_cell(recipe, base)} | '
                     f'{per_seed} | {fmt(mean, 1)} | {relative} | ' +
                     ', '.join(map(str, last)) + f" | {recipe['machine']} |")
    return '\n'.join(lines)


def ablation_table(path: str, dfad_path: str) -> str:
    """The full recipe, then one component removed at a time: final top-1
    and the difference to the mean of every run of the full recipe (the
    records named ``full recipe...``); then plain DFAD and the reference
    baselines of the ``benchmark_dfad.py`` record ``dfad_path``."""
    recipes = load(path)['recipes']
    full_names = [name for name in recipes if name.startswith('full recipe')]
    full = [
        run['student_top1_final'] for name in full_names
        for run in recipes[name]['seeds']
    ]
    reference = statistics.mean(full)
    lines = [
        '| row | change to the full recipe | final top-1 per seed | mean | '
        'difference to the mean of all full-recipe runs |',
        '| :-- | :-- | :-: | :-: | :-: |'
    ]
    names = full_names + [name for name in recipes if name not in full_names]
    for name in names:
        recipe = recipes[name]
        runs = recipe['seeds']
        finals = [run['student_top1_final'] for run in runs]
        mean = statistics.mean(finals)
        options = ' '.join(recipe.get('cfg_options', []))
        change = recipe['description'] + (f' `{options}`' if options else '')
        lines.append(f'| {name} | {change} | ' +
                     ', '.join(f"{value:.2f} (seed {run['seed']})"
                               for value, run in zip(finals, runs)) +
                     f' | {mean:.2f} | {mean - reference:+.2f} |')
    dfad = load(dfad_path)
    finals = dfad['student_top1_final']
    lines.append(
        f'| plain DFAD | {link("its config", dfad["config"], "docs")} | ' +
        ', '.join(f'{value:.2f} (seed {seed})'
                  for value, seed in zip(finals, dfad['seeds'])) +
        f' | {statistics.mean(finals):.2f} | '
        f'{statistics.mean(finals) - reference:+.2f} |')
    for name, top1 in dfad['baselines'].items():
        lines.append(f'| baseline {name} | - | - | {top1:.2f} | - |')
    machines = sorted({recipe['machine'] for recipe in recipes.values()})
    lines += [
        '', f'All {len(full)} full-recipe runs: mean {reference:.2f}, '
        f'std {statistics.stdev(full):.2f}, range {min(full):.2f}-'
        f'{max(full):.2f}. Measured on: ' + '; '.join(machines) + '.'
    ]
    return '\n'.join(lines)


def exploration_table(path: str) -> str:
    """Every run of an exploration record, one row each."""
    record = load(path)
    lines = [
        '| run | what changed | seed | final top-1 | best during training '
        '(test-selected) |', '| :-- | :-- | :-: | :-: | :-: |'
    ]
    for name, run in record['runs'].items():
        final = run.get('student_top1_final')
        best = run.get('student_top1_best',
                       run.get('student_top1_best_test_selected'))
        if isinstance(final, list):
            final = ', '.join(fmt(value) for value in final)
        elif final is None and run.get('validations'):
            step, value = run['validations'][-1]
            final = f'{value:.2f} at {step} (stopped)'
        else:
            final = fmt(final)
        seed = run.get('seed')
        lines.append(f"| {name} | {run['description']} | "
                     f"{'-' if seed is None else seed} | {final} | "
                     f'{fmt(best)} |')
    return '\n'.join(lines)


def recommended_recipe(dataset: str) -> Tuple[str, Optional[dict]]:
    """Name and record of the recipe recommended for ``dataset`` (``None``
    until it is recorded)."""
    path, name = RECOMMENDED_RECIPES[dataset]
    return name, load(path)['recipes'].get(name)


def summary_table() -> str:
    """The README's rows: plain DFAD and the recommended recipe per
    dataset."""
    lines = [
        '| Dataset | Teacher (top-1) | Student | method | final top-1 '
        '(mean +- std of 3 seeds) | ratio | minutes / run (2 CPU cores) | '
        'config |', '| :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: |'
    ]
    for dataset, path in DFAD_BENCHMARKS.items():
        results = load(path)
        head = (f"| {TEACHERS[dataset]['dataset']} | LeNet-5 "
                f"({results['teacher_top1']:.2f}) | LeNet-5-half |")
        lines.append(f"{head} DFAD | {spread(results['student_top1_final'])} "
                     f"| {results['ratio_mean']:.3f} | "
                     f"{statistics.mean(results['wall_time_s']) / 60:.1f} | "
                     f"{link('config', results['config'], '.')} |")
        name, recipe = recommended_recipe(dataset)
        if recipe is None:
            continue
        finals = [run['student_top1_final'] for run in recipe['seeds']]
        minutes = statistics.mean(run['wall_time_s']
                                  for run in recipe['seeds']) / 60
        lines.append(f'{head} {name} | {spread(finals)} | '
                     f"{recipe['ratio_mean']:.3f} | {minutes:.1f} | "
                     f"{link('config', recipe['config'], '.')} |")
    notes = []
    for dataset in DFAD_BENCHMARKS:
        name, recipe = recommended_recipe(dataset)
        if recipe is not None:
            notes.append(f"{TEACHERS[dataset]['dataset']} {name}: "
                         f"{recipe['machine']}")
    reference = load('results/cifar10_reference.json')
    lines.append(f"| CIFAR-10 | ResNet-34 ({reference['teacher_top1']:.2f}) | "
                 f"ResNet-18 | DFAD | not measured here "
                 f"({reference['source']}: "
                 f"{reference['student_top1']:.2f}) | - | - | "
                 f"{link('config', CIFAR_CONFIG, '.')} |")
    if notes:
        lines += [
            '', 'How the recipe rows were run: ' + '; '.join(notes) + '.'
        ]
    return '\n'.join(lines)


def family_recipes(dataset: str) -> Dict[str, dict]:
    """DAFL's and ZSKT's records on ``dataset`` (empty until recorded)."""
    if not osp.isfile(osp.join(REPO, FAMILY[dataset])):
        return {}
    return load(FAMILY[dataset])['recipes']


def family_table() -> str:
    """The README's table of MMRazor's three data-free algorithms on both
    datasets: final top-1 over seeds, ratio and minutes per run."""
    lines = [
        '| Dataset | Teacher (top-1) | algorithm | final top-1 (mean +- std, '
        'seeds) | ratio | minutes / run | config |',
        '| :-: | :-: | :-: | :-: | :-: | :-: | :-: |'
    ]
    machines = set()
    for dataset in FAMILY:
        dfad = load(DFAD_BENCHMARKS[dataset])
        head = (f"| {TEACHERS[dataset]['dataset']} | LeNet-5 "
                f"({dfad['teacher_top1']:.2f}) -> LeNet-5-half |")
        finals = dfad['student_top1_final']
        lines.append(f'{head} DFAD | {spread(finals)} ({len(finals)}) | '
                     f"{dfad['ratio_mean']:.3f} | "
                     f"{statistics.mean(dfad['wall_time_s']) / 60:.1f} | "
                     f"{link('config', dfad['config'], '.')} |")
        recorded = family_recipes(dataset)
        for name in FAMILY_FOLDERS:
            if name not in recorded:
                lines.append(f'{head} {name.upper()} | not measured yet | - '
                             '| - | - |')
                continue
            recipe = recorded[name]
            runs = recipe['seeds']
            finals = [run['student_top1_final'] for run in runs]
            minutes = statistics.mean(run['wall_time_s'] for run in runs) / 60
            machines.add(recipe['machine'])
            diverged = recipe.get('diverged_seeds', [])
            seeds = f'{len(finals)}' + ''.join(
                f"; seed {run['seed']} diverged at iteration "
                f"{run['iteration']}" for run in diverged)
            lines.append(f'{head} {name.upper()} | {spread(finals)} '
                         f"({seeds}) | {recipe['ratio_mean']:.3f} | "
                         f'{minutes:.1f} | '
                         f"{link('config', recipe['config'], '.')} |")
    dfad_machines = sorted({
        load(path)['machine']
        for dataset, path in DFAD_BENCHMARKS.items() if dataset in FAMILY
    })
    note = ('Minutes compare only runs made the same way. DFAD rows: '
            '`results/*_dfad.json`, ' + '; '.join(dfad_machines))
    if machines:
        note += '. DAFL and ZSKT rows: ' + '; '.join(sorted(machines))
    lines += ['', note + '.']
    return '\n'.join(lines)


def speed_table() -> str:
    """Seconds per iteration: ours, the bare loop, MMRazor 1.0.0."""
    lines = [
        '| config (batch) | ours (runner, logging on) | bare PyTorch loop | '
        'MMRazor 1.0.0 (runner / bare train_step) | ours / bare | '
        'ours / MMRazor (runner / train_step) | peak RSS ours / bare / '
        'MMRazor (runner / train_step) |',
        '| :-- | :-: | :-: | :-: | :-: | :-: | :-: |'
    ]
    for title, path in (('LeNet-5 -> LeNet-5-half MNIST',
                         'results/speed_mnist.json'),
                        ('ResNet-34 -> ResNet-18 CIFAR-10',
                         'results/speed_cifar10.json')):
        speed = load(path)
        seconds, rss = speed['s_per_iter'], speed['peak_rss_mb']
        lines.append(
            f"| {title} ({speed['batch']}) | {seconds['ours']:.3f} s | "
            f"{seconds['bare']:.3f} s | {seconds['mmrazor']:.3f} / "
            f"{seconds['mmrazor_train_step']:.3f} s | "
            f"{speed['ratio_vs_bare']:.2f} | {speed['ratio_vs_mmrazor']:.2f} "
            f"/ {speed['ratio_vs_mmrazor_train_step']:.2f} | "
            f"{rss['ours']:.0f} / {rss['bare']:.0f} / {rss['mmrazor']:.0f} / "
            f"{rss['mmrazor_train_step']:.0f} MB |")
    return '\n'.join(lines)


def speed_variants_table() -> str:
    """Speed-ups of options of ours (channels_last, compile, ...)."""
    lines = [
        '| config | variant | s / iter | speed-up vs the config |',
        '| :-- | :-- | :-: | :-: |'
    ]
    for path in ('results/speed_mnist.json', 'results/speed_cifar10.json'):
        speed = load(path)
        for name, ratio in speed.get('variants_speedup', {}).items():
            lines.append(f"| {osp.basename(speed['config'])} | {name} | "
                         f"{speed['s_per_iter'][name]:.3f} | {ratio:.2f} |")
    compiled = load('results/speed_mnist_compile.json')
    lines.append(f"| {osp.basename(compiled['config'])} | ours+compile | "
                 f"{compiled['s_per_iter']['ours+compile']:.3f} | "
                 f"{compiled['speedup']:.2f} |")
    return '\n'.join(lines)


def metafile_model(config: str, teacher: dict, teacher_top1: float,
                   machine: str, minutes: float, top1: float) -> List[str]:
    """The ``metafile.yml`` lines of one LeNet DFAD model."""
    return [
        f'  - Name: {osp.splitext(osp.basename(config))[0]}',
        '    In Collection: DFAD',
        '    Metadata:',
        '      Location: logits',
        '      Student:',
        f'        Config: {config}',
        '      Teacher:',
        f"        Config: {teacher['config']}",
        f"        Weights: {teacher['weights']}",
        '        Metrics:',
        f'          Top 1 Accuracy: {teacher_top1:.2f}',
        f'      Training Resources: {machine}, {minutes:.1f} minutes per run',
        '    Results:',
        '      - Task: Image Classification',
        f"        Dataset: {teacher['dataset']}",
        '        Metrics:',
        f'          Top 1 Accuracy: {top1:.2f}',
        f'    Config: {config}',
    ]


def metafile() -> str:
    """configs/dfad/metafile.yml."""
    reference = load('results/cifar10_reference.json')
    text = [
        '# Generated by .dev_scripts/update_model_zoo.py from results/*.json;'
        ' do not edit.',
        'Collections:',
        '  - Name: DFAD',
        '    Metadata:',
        '      Training Data:',
        '        - None (data-free; the generator synthesises the training '
        'images)',
        '    Paper:',
        '      URL: https://arxiv.org/abs/1912.11006',
        '      Title: Data-Free Adversarial Distillation',
        '    README: configs/dfad/README.md',
        '    Code:',
        '      URL: https://github.com/mmrazor-dfad/mmrazor_dfad/blob/main/'
        'mmrazor_dfad/models/algorithms/data_free_distillation.py',
        '      Version: v0.1.0',
        'Models:',
        '  - Name: dfad_logits_resnet34_resnet18_8xb32_cifar10',
        '    In Collection: DFAD',
        '    Metadata:',
        '      Location: logits',
        '      Student:',
        '        Config: mmcls::resnet/resnet18_8xb16_cifar10.py',
        '        Weights: null',
        '      Teacher:',
        '        Config: mmcls::resnet/resnet34_8xb16_cifar10.py',
        f"        Weights: {reference['teacher_weights']}",
        '        Metrics:',
        f"          Top 1 Accuracy: {reference['teacher_top1']:.2f}",
        '    Results:',
        '      - Task: Image Classification',
        '        Dataset: CIFAR-10',
        '        Metrics:',
        '          Top 1 Accuracy: null',
        f'    Config: {CIFAR_CONFIG}',
    ]
    for dataset, path in DFAD_BENCHMARKS.items():
        results, teacher = load(path), TEACHERS[dataset]
        text += metafile_model(results['config'], teacher,
                               results['teacher_top1'], results['machine'],
                               statistics.mean(results['wall_time_s']) / 60,
                               statistics.mean(results['student_top1_final']))
        _, recipe = recommended_recipe(dataset)
        if recipe is None:
            continue
        text += metafile_model(
            recipe['config'], teacher, recipe['teacher_top1'],
            recipe['machine'],
            statistics.mean(run['wall_time_s']
                            for run in recipe['seeds']) / 60,
            recipe['student_top1_final_mean'])
    return '\n'.join(text) + '\n'


def family_results(dataset: str, folder: str, algorithm: str) -> str:
    """An algorithm's recipe table on ``dataset`` for its model-zoo page."""
    if algorithm not in family_recipes(dataset):
        return 'Not measured yet.'
    return recipes_table(FAMILY[dataset], folder, names=[algorithm])


def family_metafile(algorithm: str) -> str:
    """configs/<algorithm>/metafile.yml of DAFL or ZSKT."""
    title, url, module = FAMILY_PAPERS[algorithm]
    folder = FAMILY_FOLDERS[algorithm]
    collection = algorithm.upper()
    text = [
        '# Generated by .dev_scripts/update_model_zoo.py from results/*.json;'
        ' do not edit.',
        'Collections:',
        f'  - Name: {collection}',
        '    Metadata:',
        '      Training Data:',
        '        - None (data-free; the generator synthesises the training '
        'images)',
        '    Paper:',
        f'      URL: {url}',
        f'      Title: {title}',
        f'    README: {folder}/README.md',
        '    Code:',
        '      URL: https://github.com/mmrazor-dfad/mmrazor_dfad/blob/main/'
        f'mmrazor_dfad/models/algorithms/{module}',
        '      Version: v0.1.0',
        'Models:',
    ]
    for dataset in FAMILY:
        recipe = family_recipes(dataset).get(algorithm)
        if recipe is None:
            continue
        lines = metafile_model(
            recipe['config'], TEACHERS[dataset], recipe['teacher_top1'],
            recipe['machine'],
            statistics.mean(run['wall_time_s']
                            for run in recipe['seeds']) / 60,
            recipe['student_top1_final_mean'])
        text += [
            line.replace('In Collection: DFAD', f'In Collection: {collection}')
            for line in lines
        ]
    return '\n'.join(text) + '\n'


def label_free_tables() -> str:
    """The label-free selection tables, rendered by the script that
    writes ``results/label_free_selection.json``."""
    path = osp.join(REPO, '.dev_scripts', 'label_free_selection.py')
    spec = importlib.util.spec_from_file_location('label_free_selection', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tables(
        load('results/label_free_selection.json')).rstrip('\n')


SECTIONS: Dict[str, Dict[str, Callable[[], str]]] = {
    'README.md': {
        'results': summary_table,
        'family': family_table,
        'speed': speed_table,
    },
    'configs/dfad/README.md': {
        'mnist-results':
        lambda: dfad_table('mnist'),
        'mnist-recipes':
        lambda: recipes_table(
            'results/mnist_recipes.json',
            'configs/dfad',
            ratios=('0.95', '0.98')),
        'mnist-time-to-target':
        lambda: time_to_target_table(
            'results/mnist_time_to_target.json',
            'configs/dfad',
            baseline='plain-dfad',
            ratio='0.98'),
        'fashion_mnist-results':
        lambda: dfad_table('fashion_mnist'),
        'fashion_mnist-recipes':
        lambda: recipes_table('results/fashion_mnist_recipes.json',
                              'configs/dfad'),
    },
    'docs/method_components.md': {
        'fashion_mnist-ablation':
        lambda: ablation_table('results/fashion_mnist_ablation.json',
                               'results/fashion_mnist_dfad.json'),
    },
    'docs/experiments.md': {
        'mnist-exploration':
        lambda: exploration_table('results/mnist_exploration.json'),
        'fashion_mnist-exploration':
        lambda: exploration_table('results/fashion_mnist_exploration.json'),
    },
    'docs/label_free_evaluation.md': {
        'label-free-selection': label_free_tables,
    },
    'docs/speed.md': {
        'speed': speed_table,
        'speed-variants': speed_variants_table,
    },
}
for _algorithm, _folder in FAMILY_FOLDERS.items():
    SECTIONS[f'{_folder}/README.md'] = {
        f'{dataset}-results': lambda dataset=dataset, folder=_folder, algorithm
        =_algorithm: family_results(dataset, folder, algorithm)
        for dataset in FAMILY
    }
WHOLE_FILES = {'configs/dfad/metafile.yml': metafile}
WHOLE_FILES.update({
    f'{folder}/metafile.yml': functools.partial(family_metafile, algorithm)
    for algorithm, folder in FAMILY_FOLDERS.items()
})


def render(text: str, sections: Dict[str, Callable[[], str]],
           path: str) -> str:
    """``text`` with each marked section replaced by its rendering."""
    for name, renderer in sections.items():
        begin, end = f'<!-- {name}-begin -->', f'<!-- {name}-end -->'
        if begin not in text or end not in text:
            raise KeyError(f'{path} has no {begin} ... {end} markers.')
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f'{head}{begin}\n{renderer()}\n{end}{tail}'
    return text


def main(argv: Optional[List[str]] = None) -> int:
    """Rewrite (or, with ``--check``, compare) every generated part."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--check',
        action='store_true',
        help='write nothing; exit 1 and show the difference when a file '
        'differs from what results/*.json give')
    args = parser.parse_args(argv)
    expected = {}
    for path, sections in SECTIONS.items():
        with open(osp.join(REPO, path)) as file:
            expected[path] = (file.read(), None)
        expected[path] = (expected[path][0],
                          render(expected[path][0], sections, path))
    for path, renderer in WHOLE_FILES.items():
        current = ''
        if osp.isfile(osp.join(REPO, path)):
            with open(osp.join(REPO, path)) as file:
                current = file.read()
        expected[path] = (current, renderer())
    stale = [path for path, (old, new) in expected.items() if old != new]
    if args.check:
        for path in stale:
            old, new = expected[path]
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), path,
                    f'{path} (from results/*.json)'))
        if stale:
            print(f'\nStale: {", ".join(stale)}. Run python '
                  '.dev_scripts/update_model_zoo.py and commit.')
        return 1 if stale else 0
    for path in stale:
        with open(osp.join(REPO, path), 'w') as file:
            file.write(expected[path][1])
        print(f'updated {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
