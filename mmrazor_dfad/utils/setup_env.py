# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register every module of mmrazor_dfad (and MMRazor's) in the registries.

    Configs find our modules lazily through the registries' ``locations``;
    call this when building modules by hand, outside a config.

    Args:
        init_default_scope (bool): Make ``mmrazor_dfad`` the default scope,
            so ``type='DataFreeDistillation'`` means ours. Defaults to True.
    """
    import mmrazor.utils  # noqa: F401

    import mmrazor_dfad.datasets  # noqa: F401,F403
    import mmrazor_dfad.engine  # noqa: F401,F403
    import mmrazor_dfad.models  # noqa: F401,F403
    mmrazor.utils.register_all_modules(False)

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created(
            'mmrazor_dfad'):
        DefaultScope.get_instance('mmrazor_dfad', scope_name='mmrazor_dfad')
    elif current.scope_name != 'mmrazor_dfad':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "mmrazor_dfad"; register_all_modules switches it '
                      'to "mmrazor_dfad".')
        DefaultScope.get_instance(
            f'mmrazor_dfad-{datetime.datetime.now()}',
            scope_name='mmrazor_dfad')
