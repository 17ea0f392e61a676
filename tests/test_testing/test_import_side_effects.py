# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Importing ``mmrazor_dfad.testing`` (every module of it, the private
harnesses included) registers nothing in MMEngine's registries (nor their
children: MMRazor's, ours) and patches no attribute of an imported module
or class; the harnesses do so only while a function of theirs runs."""
import json
import subprocess
import sys

import pytest

# In a fresh interpreter: import what the testing modules import (the
# package's runtime modules register their own classes then), take a
# snapshot, import every module of mmrazor_dfad.testing, compare. Then the
# same comparison after a registration and a patch made on purpose, which
# it must report.
SCRIPT = r'''
import ast, importlib, importlib.util, json, os, sys

import mmrazor_dfad  # noqa: F401  (the package's own compat set-up)

PACKAGE = 'mmrazor_dfad.testing'
folder = importlib.util.find_spec(PACKAGE).submodule_search_locations[0]
names, imported = [], set()
for root, _, files in os.walk(folder):
    for file in sorted(files):
        if not file.endswith('.py'):
            continue
        relative = os.path.relpath(os.path.join(root, file), folder)
        parts = relative[:-3].split(os.sep)
        if parts[-1] == '__init__':
            parts = parts[:-1]
        name = '.'.join([PACKAGE] + parts)
        names.append(name)
        package = name if file == '__init__.py' else name.rsplit('.', 1)[0]
        tree = ast.parse(open(os.path.join(root, file)).read())
        nodes = list(tree.body)
        while nodes:  # module level, inside if / try blocks too
            node = nodes.pop()
            if isinstance(node, (ast.If, ast.Try)):
                nodes += node.body + node.orelse
                nodes += getattr(node, 'handlers', [])
                nodes += getattr(node, 'finalbody', [])
            elif isinstance(node, ast.ExceptHandler):
                nodes += node.body
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = importlib.util.resolve_name(
                    '.' * node.level + (node.module or ''), package) \
                    if node.level else node.module
                imported.add(base)
                imported.update(f'{base}.{alias.name}' for alias in node.names)
for name in sorted(imported):
    if name == PACKAGE or name.startswith(PACKAGE + '.'):
        continue
    try:
        importlib.import_module(name)
    except ImportError:  # ``from X import a_function``
        pass

from mmengine.registry import Registry, root


def registries():
    found, stack = {}, [(name, value) for name, value in vars(root).items()
                        if isinstance(value, Registry)]
    while stack:
        path, registry = stack.pop()
        found[path] = (sorted(registry.module_dict),
                       sorted(registry._children))
        stack += [(f'{path}/{scope}', child)
                  for scope, child in registry._children.items()]
    return found


def attributes():
    snapshot = {}
    for name, module in list(sys.modules.items()):
        if module is None or module is sys.modules['__main__']:
            continue
        try:
            own = dict(vars(module))
        except TypeError:
            continue
        snapshot[name] = own
        for attr, value in own.items():
            if isinstance(value, type) and getattr(
                    value, '__module__', None) == name:
                snapshot[f'{name}:{attr}'] = dict(vars(value))
    return snapshot


def owner(key):
    if ':' not in key:
        return sys.modules[key]
    name, cls = key.split(':')
    return getattr(sys.modules[name], cls)


def changes(before_registries, before_attributes):
    found = []
    for path, after in registries().items():
        if before_registries.get(path, ([], [])) != after:
            found.append(f'registry {path}: {before_registries.get(path)} '
                         f'-> {after}')
    for key, before in before_attributes.items():
        now = vars(owner(key))
        for attr in set(before) | set(now):
            if attr == '__warningregistry__':
                continue
            if attr not in now:
                found.append(f'{key}.{attr} removed')
            elif attr not in before:
                value = now[attr]
                if not getattr(value, '__name__', '').startswith(PACKAGE):
                    found.append(f'{key}.{attr} added')
            elif now[attr] is not before[attr]:
                found.append(f'{key}.{attr} replaced')
    return found


meta_path = list(sys.meta_path)
before_registries, before_attributes = registries(), attributes()
for name in names:
    importlib.import_module(name)
found = changes(before_registries, before_attributes)
if sys.meta_path != meta_path:
    found.append('sys.meta_path changed')

# The comparison sees a registration and a patch.
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import Runner
HOOKS.register_module(name='ProbeHook', module=type('ProbeHook', (Hook, ), {}))
Runner.from_cfg = classmethod(lambda cls, cfg: None)
probe = changes(before_registries, before_attributes)
print(json.dumps(dict(modules=names, found=found, probe=probe)))
'''


@pytest.mark.integration
def test_importing_the_testing_package_registers_and_patches_nothing():
    ran = subprocess.run([sys.executable, '-c', SCRIPT],
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    assert 'mmrazor_dfad.testing._internal.fault_injection' in \
        result['modules']
    assert result['found'] == []
    # The comparison would have seen a registration and a patch.
    assert any('registry HOOKS' in change and 'ProbeHook' in change
               for change in result['probe']), result['probe']
    assert 'mmengine.runner.runner:Runner.from_cfg replaced' in \
        result['probe'], result['probe']
