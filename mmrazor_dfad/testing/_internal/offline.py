# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""A machine without network, for tests of what runs offline."""
import contextlib
import socket
from typing import Iterator, List
from unittest import mock


@contextlib.contextmanager
def network_disabled() -> Iterator[List[str]]:
    """Every connection attempt in this process fails with ``OSError``, as
    on a machine offline (urllib turns it into ``URLError``).

    Yields:
        list[str]: The hosts that were asked for, in order (empty when
        nothing tried to reach the network).
    """
    attempts: List[str] = []

    def refuse(*args, **kwargs):
        host = args[1] if len(args) > 1 and isinstance(args[1], tuple) \
            else args[0] if args else None
        attempts.append(str(host[0] if isinstance(host, tuple) else host))
        raise OSError(
            'network disabled (mmrazor_dfad.testing._internal.offline)')

    with mock.patch.object(socket.socket, 'connect', refuse), \
            mock.patch.object(socket, 'create_connection', refuse), \
            mock.patch.object(socket, 'getaddrinfo', refuse):
        yield attempts
