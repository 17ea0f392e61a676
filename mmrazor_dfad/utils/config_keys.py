# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A config key that no argument of its component takes (a typo such as
``--cfg-options model.student_itr=3``), told with the closest valid key and
the component's valid keys instead of a raw ``TypeError``."""
import difflib
import inspect
import re
from typing import Any, Iterator, List, Optional, Tuple

_UNEXPECTED = re.compile(
    r"(?P<owner>[\w.]+)\(\) got an unexpected keyword argument "
    r"'(?P<key>\w+)'")


def accepted_arguments(cls: type) -> List[str]:
    """The keyword arguments ``cls(...)`` takes: those of its ``__init__``
    and, while an ``__init__`` passes ``**kwargs`` on, of its bases'."""
    names: List[str] = []
    for klass in getattr(cls, '__mro__', (cls, )):
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        try:
            parameters = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            break
        passes_on = False
        for parameter in parameters:
            if parameter.kind is parameter.VAR_KEYWORD:
                passes_on = True
            elif parameter.kind is not parameter.VAR_POSITIONAL and \
                    parameter.name != 'self' and parameter.name not in names:
                names.append(parameter.name)
        if not passes_on:
            break
    return names


def _built_class(error: BaseException, key: str) -> Optional[type]:
    """The class MMEngine's ``build_from_cfg`` was building with ``key``
    when ``error`` was raised (the innermost such frame)."""
    found = None
    traceback = error.__traceback__
    while traceback is not None:
        local = traceback.tb_frame.f_locals
        if isinstance(local.get('obj_cls'), type) and isinstance(
                local.get('args'), dict) and key in local['args']:
            found = local['obj_cls']
        traceback = traceback.tb_next
    return found


def _paths_with(node: Any, key: str, path: str) -> Iterator[Tuple[str, Any]]:
    """``(path, dict)`` of each dict under ``node`` holding ``key``."""
    if isinstance(node, dict):
        if key in node:
            yield path, node
        for sub_key, value in node.items():
            yield from _paths_with(value, key, f'{path}.{sub_key}')
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from _paths_with(value, key, f'{path}.{index}')


def explain_unknown_key(error: TypeError,
                        cfg: Any,
                        root: str = 'model') -> Optional[str]:
    """One line for a component built with a key it does not take, or None
    if ``error`` is another ``TypeError``.

    Args:
        error (TypeError): E.g. ``BaseAlgorithm.__init__() got an
            unexpected keyword argument 'student_itr'``.
        cfg (Config): The config being built.
        root (str): The config key the component is under.

    Returns:
        str | None: E.g. ``model.student_itr: DataFreeDistillation takes no
        'student_itr'; did you mean 'student_iter'? Its keys: ...``.
    """
    match = _UNEXPECTED.search(str(error))
    if match is None:
        return None
    key = match.group('key')
    cls = _built_class(error, key)
    name = cls.__name__ if cls is not None else \
        match.group('owner').split('.')[0]
    where = key
    for path, node in _paths_with(cfg.get(root), key, root):
        type_name = node.get('type')
        if cls is None or str(type_name).split('.')[-1] == name or (
                type_name is None and path == root):
            where = f'{path}.{key}'
            break
    if cls is None:
        return f'{where}: {name} takes no argument {key!r} ({error}).'
    valid = accepted_arguments(cls)
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f' did you mean {close[0]!r}?' if close else ''
    return (f'{where}: {name} takes no {key!r};{hint} Its keys: '
            f"{', '.join(valid)}.")
