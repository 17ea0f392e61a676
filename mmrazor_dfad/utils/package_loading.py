# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import importlib.util
import os.path as osp
import sys
from types import ModuleType


def import_package_from_folder(folder: str, name: str) -> ModuleType:
    """Import the package in ``folder`` (its ``__init__.py`` and the modules
    it imports relatively) under the module name ``name``, leaving the
    import path as it is.

    The scripts of ``.dev_scripts/`` keep their parts in a folder beside
    them (``speed/``, ``model_zoo/``), which is not on the import path.

    Args:
        folder (str): The package folder.
        name (str): Its name in :data:`sys.modules`.

    Returns:
        ModuleType: The imported package (the same object on later calls).
    """
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name,
            osp.join(folder, '__init__.py'),
            submodule_search_locations=[folder])
        sys.modules[name] = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(sys.modules[name])
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]
