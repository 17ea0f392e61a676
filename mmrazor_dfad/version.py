# Copyright (c) mmrazor_dfad contributors. All rights reserved.
__version__ = '0.1.0'


def parse_version_info(version_str: str) -> tuple:
    """Turn ``'0.1.0'`` into ``(0, 1, 0)`` (pre-release parts kept as str)."""
    return tuple(
        int(part) if part.isdigit() else part
        for part in version_str.split('.'))


version_info = parse_version_info(__version__)
