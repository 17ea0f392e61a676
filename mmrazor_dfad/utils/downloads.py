# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Downloads that fail (offline, a proxy, a dead URL), told as one line with
the cause and the fix instead of a raw ``urllib.error.URLError``."""
import contextlib
import http.client
import socket
import urllib.error
from types import TracebackType
from typing import Iterator, Optional

# What urllib, torch.hub and MMEngine's http backend raise when a download
# fails.
DOWNLOAD_ERRORS = (urllib.error.URLError, http.client.HTTPException,
                   ConnectionError, TimeoutError, socket.gaierror)


class DownloadFailed(RuntimeError):
    """A download failed; the message says what was fetched and the fix."""


def download_error(error: BaseException) -> Optional[BaseException]:
    """The download error that caused ``error`` (itself or one it was raised
    from), or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DOWNLOAD_ERRORS):
            return error
        error = error.__cause__ or error.__context__
    return None


def _url_in(traceback: Optional[TracebackType]) -> Optional[str]:
    """The URL being fetched: the last ``url`` (or ``filename``) string of
    an http(s) address among the failing frames' local variables."""
    url = None
    while traceback is not None:
        for name in ('url', 'filename', 'full_url'):
            value = traceback.tb_frame.f_locals.get(name)
            if isinstance(value, str) and '://' in value:
                url = value
        traceback = traceback.tb_next
    return url


def describe_download_failure(error: BaseException, what: str,
                              fix: str) -> str:
    """One line: what could not be downloaded, why, and the fix.

    Args:
        error (BaseException): The download error (see
            :func:`download_error`).
        what (str): What was being fetched, e.g. ``"teacher 'res34''s
            pretrained weights"``.
        fix (str): What to do instead.

    Returns:
        str: ``Could not download WHAT (URL): CAUSE. FIX``.
    """
    url = _url_in(error.__traceback__)
    reason = getattr(error, 'reason', None) or error
    where = f' ({url})' if url else ''
    return (f'Could not download {what}{where}: {type(error).__name__}: '
            f'{reason}. {fix}')


def _fetched_by_a_dataset(traceback: Optional[TracebackType]) -> bool:
    """Whether a dataset's code was fetching (a frame in ``datasets/``)."""
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename.replace('\\', '/')
        if '/datasets/' in filename:
            return True
        traceback = traceback.tb_next
    return False


# What to do about a download a training or test run could not make.
RUN_DOWNLOAD_FIX = (
    'Offline, put the file in place and point the config at it: a dataset '
    'with --cfg-options val_dataloader.dataset.data_prefix=DIR (or '
    'val_cfg=None val_dataloader=None val_evaluator=None to train without '
    'validation), a teacher with model.teachers.NAME.ckpt_path=FILE.')


@contextlib.contextmanager
def download_failures_told() -> Iterator[None]:
    """Turn a download that fails inside the block (raw ``URLError`` and
    the like) into :class:`DownloadFailed`: one line saying what was
    fetched, why it failed and what to do offline."""
    try:
        yield
    except DownloadFailed:
        raise
    except Exception as error:
        cause = download_error(error)
        if cause is None:
            raise
        what = 'a dataset of the config' if _fetched_by_a_dataset(
            cause.__traceback__) else 'a file the config needs'
        raise DownloadFailed(
            describe_download_failure(cause, what,
                                      RUN_DOWNLOAD_FIX)) from error
