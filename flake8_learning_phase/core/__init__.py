"""The analysis core: finds Keras training steps and returns findings with their edits.

Free of flake8, libcst and CLI imports; every front end calls :func:`analyze`
(given an ``ast`` tree, as flake8 hands one over) or :func:`check_source`.
"""
import ast
import io
import re
from typing import List, Sequence

from flake8_learning_phase.core._codes import ALL_CODES, MESSAGES, OUTSIDE_CALLERS
from flake8_learning_phase.core._findings import APPEND, CONCAT, IMPORT, CallSite, Edit, Finding, NodeRef, Step
from flake8_learning_phase.core._index import build_index
from flake8_learning_phase.core._rules import find
from flake8_learning_phase.core._settings import LEARNING_PHASE_FUNCTIONS, Settings

__all__ = [
    "ALL_CODES",
    "APPEND",
    "CONCAT",
    "IMPORT",
    "LEARNING_PHASE_FUNCTIONS",
    "MESSAGES",
    "OUTSIDE_CALLERS",
    "CallSite",
    "Edit",
    "Finding",
    "NodeRef",
    "Settings",
    "Step",
    "analyze",
    "check_source",
    "might_contain_step",
    "split_lines",
]

_MARKER = "get_updates"
# The analysis only sees optimizer updates as an attribute call ``<x>.get_updates(...)``;
# files that merely define or mention get_updates (8 of the 13 in the tensorflow 1.15.5 +
# keras 2.3.1 corpus) need no parse.
_CALL = re.compile(r"\.\s*get_updates\s*\(")


def might_contain_step(text: str) -> bool:
    """The cheap prefilter: a training step always calls ``<optimizer>.get_updates(``."""
    return _MARKER in text and _CALL.search(text) is not None


def split_lines(source: str) -> List[str]:
    """Lines as Python's tokenizer counts them (``\\n``, ``\\r\\n`` or ``\\r``; not form feeds)."""
    return io.StringIO(source, newline="").readlines()


def analyze(tree: ast.AST, lines: Sequence[str], settings: Settings = Settings()) -> List[Finding]:
    """Findings for a parsed module; ``lines`` is its text, for character columns."""
    try:
        return find(build_index(tree), lines, settings)
    except RecursionError:
        # A pathologically deep tree: no finding rather than a crashed lint run.
        return []


def check_source(source: str, settings: Settings = Settings()) -> List[Finding]:
    """Findings for Python source text.  Raises SyntaxError/ValueError for unparsable text."""
    if not might_contain_step(source):
        return []
    return analyze(ast.parse(source), split_lines(source), settings)
