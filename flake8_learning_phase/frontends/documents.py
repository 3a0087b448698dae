"""The two kinds of file lp-fix reads, behind one interface, so ``cli.process`` is one pipeline.

A document gives the text to analyse (``text``), the cells of its lines
(``positions``; none for a .py file), its cells that do not parse (``errors``),
the fix result in its own terms (``in_own_terms``), and the bytes and the diff of
a fixed text (``rewrite``, ``diff``).  The prefilter runs on the raw bytes before
a document is made, so most files never become one.
"""
from typing import Dict, Iterable, Tuple

from flake8_learning_phase.core import might_matter as _text_might_matter, split_lines
from flake8_learning_phase.frontends import files as _files, notebooks as _notebooks
from flake8_learning_phase.notebook import NotebookError


class PythonDocument(object):
    """A .py file (or standard input), decoded as Python decodes it."""

    errors: Tuple = ()
    tree = None  # parsed by the analysis, only when the prefilter passes the decoded text too

    def __init__(self, raw: bytes):
        self.source = _files.decode(raw)  # raises SourceError
        self.text = self.source.text

    def positions(self, lines: Iterable[int]) -> None:
        return None

    def in_own_terms(self, result):
        return result

    def rewrite(self, new_text: str) -> bytes:
        return _files.encode(self.source, new_text)

    def diff(self, new_raw: bytes, path: str) -> str:
        import difflib  # only for --diff: ~5 ms to import, which every lp-fix --check would pay

        new_text = _files.decode(new_raw).text
        return "".join(difflib.unified_diff(split_lines(self.text), split_lines(new_text), fromfile=path, tofile=path))


# What a file that cannot be made a document raises, and how lp-fix words it.
LOAD_ERRORS: Dict[type, str] = {_files.SourceError: "cannot parse", NotebookError: "cannot read"}


def is_notebook(path: str) -> bool:
    return _notebooks.is_notebook(path)


def might_matter(path: str, raw: bytes, codes: Tuple[str, ...]) -> bool:
    """The rules' text prefilter on the raw bytes (a notebook's JSON included)."""
    if is_notebook(path):
        return _notebooks.might_matter_notebook(raw, codes)
    return _text_might_matter(raw, codes)


def load(path: str, raw: bytes, stdin: bool):
    """The document of ``raw``: a notebook for an ``.ipynb`` path (not standard input), else Python."""
    if not stdin and is_notebook(path):
        return _notebooks.NotebookDocument(raw)
    return PythonDocument(raw)
