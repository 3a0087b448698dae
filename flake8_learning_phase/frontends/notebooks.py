"""Notebooks (``.ipynb``) in lp-fix: what a notebook contributes to the one pipeline of ``cli.process``.

The notebook itself (reading, masking, positions, byte-exact rewriting) is
:mod:`flake8_learning_phase.notebook`.  Here: the prefilter on the raw bytes,
and :class:`NotebookDocument`, the notebook as lp-fix's pipeline reads it (its
code cells joined into one module), maps positions back to cells and writes a
fixed module back into the JSON.  A finding's line in the joined module is
mapped to a :class:`~flake8_learning_phase.notebook.CellPosition` once, in the
process that read the notebook, and kept in the outcome (``Outcome.cells``), so
that the text, flake8-style, JSON and SARIF outputs all give the same cell.
"""
import ast
import json
import re
from typing import Dict, Iterable, Optional, Tuple

from flake8_learning_phase import notebook as _notebook
from flake8_learning_phase.core import get, might_matter
from flake8_learning_phase.core.project import ModuleReader
from flake8_learning_phase.core.records import replace
from flake8_learning_phase.notebook import CellError, CellPosition, NotebookError

SUFFIX = ".ipynb"

# In the JSON text, a cell's lines are separate strings ("a\n",<newline> "b") or one string
# with "\n" escapes: a prefilter pattern with ``\s*`` between two tokens on two lines of a
# cell would not match the raw bytes.  Joining the strings again (only when some rule's words
# are in the file, which is rare) keeps the prefilter conservative.
_JOINS = re.compile(rb'(?:\\[nrt]|"\s*,\s*")+')
# "at line 19" in a message or a manual-edit note: a line of the joined module.
_LINE_REFERENCE = re.compile(r"\bline (\d+)\b")


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


def might_matter_notebook(raw: bytes, codes: Iterable[str]) -> bool:
    """The rules' prefilter on a notebook's raw bytes, before any JSON is decoded.

    Words are ASCII identifiers (``get_updates``, ``GradientTape``): JSON never escapes
    them, so a notebook without them cannot have a finding.
    """
    codes = tuple(codes)
    words = {word.encode("utf-8") for code in codes for word in get(code).prefilter.words}
    if not any(word in raw for word in words):
        return False
    # The rules' patterns on the code cells' text first: a saved notebook's bytes are mostly its
    # outputs (base64 plots), which a pattern would scan in vain.  Only when the code does not
    # pass are the bytes tested whole, as before, so no notebook that passed is dropped.
    code = _code_text(raw)
    if code is not None and might_matter(code, codes):
        return True
    return might_matter(raw, codes) or might_matter(_JOINS.sub(b" ", raw), codes)


# The last notebook the prefilter decoded, and its JSON: the notebook that passes is loaded next,
# without decoding its JSON a second time (~7 ms on 200 saved notebooks).
_last_decoded: Dict[str, Tuple[bytes, Dict]] = {}


def _code_text(raw: bytes) -> Optional[str]:
    """The code cells' sources, one after another; None when ``raw`` is not a notebook's JSON."""
    _last_decoded.clear()
    try:
        top = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(top, dict):
        _last_decoded["raw"] = (raw, top)
    return _notebook.code_text(top)


def _project_words(raw: bytes) -> Optional[str]:
    try:
        return _notebook.code_text(json.loads(raw))
    except (ValueError, RecursionError):
        return None


def _project_module(raw: bytes) -> Optional[Tuple[str, ast.Module]]:
    try:
        notebook = _notebook.load(raw)
    except (NotebookError, RecursionError):
        return None
    return notebook.source, notebook.tree


#: Notebooks as modules of the project, for the resolver: a notebook beside a package often is
#: where its classes are constructed and its training functions called with the models.
PROJECT_READER = ModuleReader(_project_words, _project_module)


def where(cells: Optional[Dict[int, CellPosition]], line: Optional[int]) -> Optional[CellPosition]:
    """The cell position of a line of a notebook outcome; None for a .py file (or no line)."""
    if cells is None or line is None:
        return None
    return cells.get(line)


def prefix(path: str, cells: Optional[Dict[int, CellPosition]], line: int) -> str:
    """``path:line`` for a .py file, ``path:cell_N:line`` (nbQA's form) for a notebook."""
    cell = where(cells, line)
    if cell is None:
        return "{}:{}".format(path, line)
    return "{}:cell_{}:{}".format(path, cell.cell_number, cell.line)


def cell_error(path: str, error: CellError) -> str:
    """``path:cell_N:line:col: cannot parse: <reason>``: one line per code cell that does not parse."""
    where = "{}:cell_{}:{}:{}".format(path, error.cell_number, error.line, error.col + 1)
    return "{}: cannot parse: {}".format(where, error.message)


def cell_fields(cell: CellPosition) -> Dict:
    return {"cell_index": cell.cell_index, "cell_number": cell.cell_number, "cell_id": cell.cell_id}


def in_cell_terms(nb, text: Optional[str]) -> Optional[str]:
    """``line 19`` (of the joined module) as ``line 3 of cell 4`` in a message or note."""
    if not text:
        return text

    def replace(match):
        try:
            position = nb.position(int(match.group(1)), 0)
        except ValueError:
            return match.group(0)
        return "line {} of cell {}".format(position.line, position.cell_number)

    return _LINE_REFERENCE.sub(replace, text)


class NotebookDocument(object):
    """A notebook in lp-fix's pipeline: its joined module, its cells' positions, its rewriting."""

    def __init__(self, raw: bytes):
        last = _last_decoded.pop("raw", None)
        top = last[1] if last is not None and last[0] is raw else None
        self.nb = _notebook.load(raw, top)  # raises NotebookError
        self.text = self.nb.source
        self.tree = self.nb.tree  # ast.parse(text), made from the cells' trees (each cell is parsed alone anyway)

    @property
    def errors(self) -> Tuple[CellError, ...]:
        """The code cells that do not parse (blank in ``text``): the notebook is then not rewritten."""
        return tuple(self.nb.errors)

    def positions(self, lines: Iterable[int]) -> Dict[int, CellPosition]:
        found = {}
        for line in lines:
            try:
                found[line] = self.nb.position(line, 0)
            except ValueError:
                continue
        return found

    def in_own_terms(self, result):
        """The fix result with its messages and manual-edit notes speaking of cells' lines."""
        renamed = {}
        for finding in result.findings:
            message, manual = in_cell_terms(self.nb, finding.message), in_cell_terms(self.nb, finding.manual)
            if (message, manual) != (finding.message, finding.manual):
                renamed[finding] = replace(finding, message=message, manual=manual)
        notes = tuple((line, in_cell_terms(self.nb, note)) for line, note in result.manual)
        if not renamed and notes == tuple(result.manual):
            return result
        return replace(
            result,
            findings=tuple(renamed.get(f, f) for f in result.findings),
            fixed=tuple(renamed.get(f, f) for f in result.fixed),
            held=tuple(renamed.get(f, f) for f in result.held),
            manual=notes,
        )

    def rewrite(self, new_text: str) -> bytes:
        """The notebook's bytes with the fixed module's cells; raises NotebookError or ValueError."""
        return self.nb.rewrite(new_text)

    def diff(self, new_raw: bytes, path: str) -> str:
        """One unified diff per edited cell, headed ``--- path:cell_N``."""
        return _notebook.diff(self.nb, new_raw, path)
