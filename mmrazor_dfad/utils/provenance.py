# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Where a training ran: ``tools/train.py`` appends each start (commit,
CPU threads, machine, date) to ``<work_dir>/run_provenance.json``, so the
benchmark scripts of ``.dev_scripts/`` that record the finished run later
know its provenance (``.dev_scripts/run_records``)."""
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

#: Where a training writes its provenance (in its work dir).
PROVENANCE_FILE = 'run_provenance.json'
#: The checkout this package runs from.
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def git_commit(repo: str = REPO) -> Optional[str]:
    """The commit checked out at ``repo`` (``git rev-parse HEAD``), with
    ``-dirty`` appended when tracked files differ from it (untracked files
    do not count); ``None`` outside a git checkout or without git.

    Args:
        repo (str): A folder of the checkout. Defaults to this package's.

    Returns:
        str, optional: E.g. ``'4ba506e...'`` or ``'4ba506e...-dirty'``.
    """
    # No optional locks: reading must not block (or be blocked by) a
    # concurrent git command in the same checkout.
    env = dict(os.environ, GIT_OPTIONAL_LOCKS='0')
    try:
        head = subprocess.run(['git', 'rev-parse', 'HEAD'],
                              cwd=repo,
                              env=env,
                              capture_output=True,
                              text=True,
                              check=True).stdout.strip()
        changed = subprocess.run(['git', 'diff', '--quiet', 'HEAD', '--'],
                                 cwd=repo,
                                 env=env,
                                 capture_output=True).returncode
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ('-dirty' if changed else '') if head else None


def current_threads() -> Optional[int]:
    """This process's CPU threads: torch's when it is imported, else
    ``$OMP_NUM_THREADS`` (``None`` when neither says)."""
    if 'torch' in sys.modules:
        return sys.modules['torch'].get_num_threads()
    value = os.environ.get('OMP_NUM_THREADS', '')
    return int(value) if value.isdigit() else None


def current_machine() -> str:
    """``'<n> CPU cores, <architecture>'`` (and the GPU, when torch sees
    one) of this machine."""
    text = f'{os.cpu_count()} CPU cores, {platform.machine()}'
    torch = sys.modules.get('torch')
    if torch is not None and torch.cuda.is_available():
        text += f', {torch.cuda.get_device_name(0)}'
    return text


def write_provenance(work_dir: str, repo: str = REPO) -> Dict[str, Any]:
    """Append this start of a training (commit, threads, machine, date) to
    ``<work_dir>/run_provenance.json``.

    Args:
        work_dir (str): The run's work dir (created if missing).
        repo (str): The checkout whose commit the run uses.

    Returns:
        dict: The start written.
    """
    start = dict(
        commit=git_commit(repo),
        threads=current_threads(),
        machine=current_machine(),
        date=time.strftime('%Y-%m-%d %H:%M:%S'))
    path = osp.join(work_dir, PROVENANCE_FILE)
    starts = read_starts(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as file:
        json.dump(dict(starts=starts + [start]), file, indent=2)
    return start


def read_starts(work_dir: str) -> List[Dict[str, Any]]:
    """The starts :func:`write_provenance` recorded in ``work_dir`` (empty
    when it has none or the file is unreadable)."""
    path = osp.join(work_dir, PROVENANCE_FILE)
    try:
        with open(path, encoding='utf-8') as file:
            starts = json.load(file).get('starts', [])
    except (OSError, ValueError, AttributeError):
        return []
    return [start for start in starts if isinstance(start, dict)]
