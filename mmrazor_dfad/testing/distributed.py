# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Helpers for tests that start several processes."""
import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for a rendezvous).

    Returns:
        int: The port number.
    """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
