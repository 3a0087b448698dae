"""Notebooks (``.ipynb``) in the front ends: lp-fix's processing, cell positions, prefilter.

The notebook itself (reading, masking, positions, byte-exact rewriting) is
:mod:`flake8_learning_phase.notebook`; this module is the glue that lp-fix
(``cli.py``) and its reports use.  A finding's line in the notebook's joined
source is mapped to ``(cell_index, cell_number, cell_id, line in the cell)``
once, in the process that read the notebook, and kept in the outcome
(``Outcome.cells``) so that the text, flake8-style, JSON and SARIF outputs all
give the same cell.
"""
import re
from typing import Dict, Iterable, Optional, Tuple

from flake8_learning_phase.core import get, might_matter
from flake8_learning_phase.fixer import fix_source

SUFFIX = ".ipynb"

# (cell_index 0-based among all cells, cell_number 1-based among code cells, cell_id or None,
# line 1-based in the cell)
Where = Tuple[int, int, Optional[str], int]

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
    if might_matter(raw, codes):
        return True
    words = {word.encode("utf-8") for code in codes for word in get(code).prefilter.words}
    if not any(word in raw for word in words):
        return False
    return might_matter(_JOINS.sub(b" ", raw), codes)


def where(outcome, line: Optional[int]) -> Optional[Where]:
    """The cell position of a line of a notebook outcome; None for a .py file (or no line)."""
    cells = getattr(outcome, "cells", None)
    if cells is None or line is None:
        return None
    return cells.get(line)


def prefix(outcome, line: int) -> str:
    """``path:line`` for a .py file, ``path:cell_N:line`` (nbQA's form) for a notebook."""
    cell = where(outcome, line)
    if cell is None:
        return "{}:{}".format(outcome.path, line)
    return "{}:cell_{}:{}".format(outcome.path, cell[1], cell[3])


def cell_fields(cell: Where) -> Dict:
    return {"cell_index": cell[0], "cell_number": cell[1], "cell_id": cell[2]}


def _cell_terms(nb, text: Optional[str]) -> Optional[str]:
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


def _in_cell_terms(nb, result):
    """The fix result with its messages and manual-edit notes speaking of cells' lines."""
    import dataclasses

    renamed = {}
    for finding in result.findings:
        message, manual = _cell_terms(nb, finding.message), _cell_terms(nb, finding.manual)
        if (message, manual) != (finding.message, finding.manual):
            renamed[finding] = dataclasses.replace(finding, message=message, manual=manual)
    notes = tuple((line, _cell_terms(nb, note)) for line, note in result.manual)
    if not renamed and notes == tuple(result.manual):
        return result
    return dataclasses.replace(
        result,
        findings=tuple(renamed.get(f, f) for f in result.findings),
        fixed=tuple(renamed.get(f, f) for f in result.fixed),
        manual=notes,
    )


def process(path: str, raw: bytes, options, outcome, codes):
    """lp-fix on one notebook's bytes: what ``cli.process`` does for a .py file.

    Never raises for bad input.  A notebook with a cell that does not parse is
    reported (each such cell named) and left as it is, like an unparsable .py
    file; the other cells' findings are still given.
    """
    from flake8_learning_phase import notebook as _notebook

    if not might_matter_notebook(raw, codes):
        return outcome
    try:
        nb = _notebook.load(raw)
    except _notebook.NotebookError as error:
        outcome.error = "cannot read: {}".format(error)
        return outcome
    if options.policy.skips_file(nb.source):
        return outcome
    try:
        result = fix_source(
            nb.source,
            options.settings,
            codes,
            keep=options.policy.keeps(nb.source),
            path=path,
            line_length=options.line_length,
        )
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        from flake8_learning_phase.frontends.cli import _reason

        outcome.error = "cannot parse: {}".format(_reason(error))
        return outcome
    result = _in_cell_terms(nb, result)
    outcome.findings = result.findings
    lines = {f.line for f in result.findings} | {f.end_line for f in result.findings if f.end_line}
    lines |= {line for line, _ in result.manual}
    outcome.cells = {}
    for line in lines:
        try:
            position = nb.position(line, 0)
        except ValueError:
            continue
        outcome.cells[line] = (position.cell_index, position.cell_number, position.cell_id, position.line)
    if nb.errors:
        outcome.cell_errors = tuple(
            (e.cell_index, e.cell_number, e.cell_id, e.line, e.col, e.message) for e in nb.errors
        )
        first = nb.errors[0]
        outcome.error = "cannot parse: cell {}, line {}: {}".format(first.cell_number, first.line, first.message)
        outcome.unwritten = result.fixed
        return outcome
    outcome.manual = list(result.manual)
    if not result.changed:
        return outcome
    try:
        data = nb.rewrite(result.source)
        diff = _notebook.diff(nb, data, path) if options.diff else ""
    except (_notebook.NotebookError, ValueError) as error:
        outcome.error = "cannot fix: {}".format(error)
        outcome.unwritten = result.fixed
        return outcome
    if data == raw:  # pragma: no cover - a fix always edits a cell
        return outcome
    outcome.changed = True
    outcome.fixed = result.fixed
    outcome.call_sites = result.call_sites_updated
    if options.diff:
        outcome.output = diff.encode("utf-8", "surrogateescape")
    if options.writes:
        outcome.write(data, raw)
    return outcome
