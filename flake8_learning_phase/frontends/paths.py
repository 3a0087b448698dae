"""Which files lp-fix reads: the named files and the ``*.py`` and ``*.ipynb`` below named folders,
each once, without what ``--exclude`` and the config files' ``exclude`` name."""
import fnmatch
import os
from typing import Iterator, Sequence

from flake8_learning_phase.frontends import notebooks as _notebooks, suppression
from flake8_learning_phase.frontends.options import STDIN

_VENV_MARKERS = ("pyvenv.cfg", "conda-meta")


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    normal = os.path.normpath(path)
    return any(
        fnmatch.fnmatch(normal, p) or fnmatch.fnmatch(os.path.basename(normal), p) for p in patterns
    )


def iter_paths(
    paths: Sequence[str], exclude: Sequence[str], policy: suppression.Policy = suppression.Policy()
) -> Iterator[str]:
    """Files to process, each once: the given files, and ``*.py`` and ``*.ipynb`` below the given folders.

    A file named twice (``a.py a.py``, a folder and a file in it, a symlink
    and its target, two hard links) is processed once, under the first name it was met by:
    two workers on one file would race.  Hidden and virtualenv folders are
    skipped; symlinked folders are not followed, so a symlink loop cannot
    trap the walk.  Files and folders the config files' ``exclude``/``extend-exclude``
    match are skipped, named or found, as flake8 skips them.
    """
    seen = set()
    for path in _walk(paths, exclude, policy):
        key = _identity(path)
        if key not in seen:
            seen.add(key)
            yield path


def _identity(path: str):
    """What makes two names one file: its device and inode (one ``stat``, where ``realpath``
    costs one per path component), or the normalised path of a file that cannot be stat'ed
    (it is reported once, as unreadable)."""
    if path == STDIN:
        return path
    try:
        status = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.abspath(path))
    return status.st_dev, status.st_ino


def _walk(paths: Sequence[str], exclude: Sequence[str], policy: suppression.Policy) -> Iterator[str]:
    for path in paths:
        if path == STDIN:
            yield path
            continue
        if _excluded(path, exclude) or policy.excluded(path):
            continue
        if not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d != "__pycache__"
                and not any(os.path.exists(os.path.join(root, d, m)) for m in _VENV_MARKERS)
                and not _excluded(os.path.join(root, d), exclude)
                and not policy.excluded(os.path.join(root, d))
            )
            for name in sorted(files):
                full = os.path.join(root, name)
                if (
                    (name.endswith(".py") or _notebooks.is_notebook(name))
                    and not _excluded(full, exclude)
                    and not policy.excluded(full)
                ):
                    yield full
