# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Exceptions shared by the models and the engine."""


class InvalidArgumentError(ValueError, AssertionError):
    """A bad argument: a ``ValueError`` that is also an ``AssertionError``.

    Where MMRazor 1.0.0 rejects an argument with ``assert`` (e.g. the latent
    shape of its generators, a top-level ``paramwise_cfg``), ours raises this
    instead: code written against MMRazor (``pytest.raises(AssertionError)``)
    and code written against ours (``pytest.raises(ValueError)``) both catch
    it, and the check is not dropped under ``python -O``.
    """
