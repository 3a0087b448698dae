"""Jupyter notebooks (nbformat 4) as one Python module, and back.

Standard library only (no nbformat: importing it costs 200-400 ms), no flake8,
libcst or CLI imports, Python 3.7+.

Reading
-------
:func:`load` reads the notebook's bytes (UTF-8 JSON, an optional BOM) with a
small span-recording scanner built on :mod:`json`'s C scanner: everything
except the cells' ``source`` values (outputs, base64 images, metadata) is
decoded exactly as :func:`json.loads` would, and for every cell the byte span
of its ``source`` value is kept, so that :meth:`Notebook.rewrite` can splice a
new value in and leave every other byte alone.

:attr:`Notebook.source` is the code cells, in notebook order, joined into one
module.  Each code cell is preceded by one marker comment line
``# %% [lp cell N]`` (N = the cell's index + 1, all cells counted: private, not
the ``cell_N`` users see; ``if True:  # %% [lp cell N]`` above a cell whose first
line is indented, which IPython dedents: the cell is that ``if``'s body, so no
column moves); the markers are how :meth:`Notebook.rewrite` finds
the cells again in an edited source, so a fixer may add or remove lines inside
cells.  Lines end with ``\\n`` in ``source`` whatever the notebook used
(``\\r\\n`` inside sources is restored on rewrite).  Columns are never
shifted: a position in ``source`` is the same column in the cell.

Masking (IPython syntax that is not Python)
-------------------------------------------
Every masked line keeps its place; a masked statement keeps its indentation.

=================================================  ==============================================
cell text                                          in ``source``
=================================================  ==============================================
``%matplotlib inline`` (any other line magic)      ``pass`` (same indentation)
``!pip install x``, ``!!ls``                       ``pass``
``obj?``, ``obj.attr??``, ``?obj``, ``%magic?``    ``pass``
``/f a``, ``,f a b``, ``;f a b`` (autocall)        ``pass``
``files = !ls``, ``x = %sx ls``, ``y = %who_ls``   ``files = ...`` (the name stays bound)
``%time x = f()``, ``%timeit -n 3 f()``,           ``pass; x = f()``: the body is kept at its
``%prun f()``                                      columns, the magic and its options become
                                                   ``pass;`` padded with spaces
``x = %time f()``                                  ``x =       f()`` (body kept, same columns)
continuation lines of a masked line                ``#``
(a final ``\\``, or brackets left open)
``%%time``, ``%%timeit``, ``%%prun``,              the magic line becomes ``#``, the body is
``%%capture``, ``%%debug``: Python run in the      kept (its lines masked as above)
kernel
every other cell magic: ``%%bash``, ``%%sh``,      every line of the cell becomes ``#``
``%%html``, ``%%javascript``, ``%%latex``,
``%%markdown``, ``%%writefile`` (writes a file,
runs nothing), ``%%script``, ``%%python3`` (a
separate process: binds nothing here), unknown
``from __future__ import x`` after the first       ``from _lp_future import x`` (IPython accepts
code cell                                          it in any cell; one module cannot)
=================================================  ==============================================

When a cell with a kept body does not parse (``%time for ...:``), its
kept-body magics are masked whole and it is parsed again.  Magics are
recognised only at the start of a logical line (not inside brackets, strings
or after a ``\\``), as IPython does.  Markdown and raw cells
contribute nothing.  When the notebook's language (``metadata.language_info.name``
or ``metadata.kernelspec.language``) is given and is not Python, every code cell
is masked whole.

A cell that does not parse
--------------------------
Each code cell (masked) must parse alone, as IPython compiles it alone.  A cell
that does not is blanked (its lines are empty in ``source``, so the other
cells keep their lines) and recorded in :attr:`Notebook.errors` as a
:class:`CellError` with the cell, the line and the reason: front ends report
``path:cell_3:4:1: cannot parse: <reason>``.  Linting the other cells is sound:
running a cell with a syntax error executes nothing of it, so the notebook
runs exactly as if that cell were empty.  Fixing is not: the user's intended
code in that cell is unknown (it may bind the step the fixer would change), so
:meth:`Notebook.rewrite` refuses any change to a notebook with an unparsable
cell (``NotebookError`` naming the cell), and lp-fix leaves it as it is, like
an unparsable .py file (exit 123).  Not supported by the same rule (reported
as unparsable): top-level ``await`` (IPython's autoawait).

Writing
-------
:meth:`Notebook.rewrite` maps an edited ``source`` back to cells by the marker
lines, restores masked lines to their original text (a fixer may edit a kept
``%time`` body, never a masked line), and splices new ``source`` values only
into the cells whose text changed, written in the original style: a list of
lines (``str.splitlines(keepends=True)``, as nbformat writes) with the
original's indentation and separators, or one string for notebooks saved by
old Jupyter versions; unchanged lines keep their original JSON text, new
ones are escaped as the file was (``ensure_ascii`` when the file escapes
non-ASCII characters).  Whatever cannot be mapped back safely (a marker
missing, moved or duplicated, text before the first cell, a masked line
changed or removed) raises :class:`NotebookError`.

Front ends
----------
lp-fix and the flake8-style output: ``nb = load(data)``; report ``nb.errors``
as ``path:cell_N:line:col+1: cannot parse: message``; run the core on
``nb.source`` and print each finding at ``nb.position(line, col)`` as
``path:cell_N:line:col+1`` (N counts code cells only, as nbQA and ruff do); fix
with ``fix_source(nb.source)`` and write ``nb.rewrite(result.source)`` only when
the cells changed (``diff`` for ``--diff``).  lp-lsp (LSP 3.17 notebook sync):
``from_cells`` over the notebook's cells, positions to each cell's document,
and ``cell_edits`` for a quick fix's per-cell edits.
"""
import ast
import io
import json
import json.decoder
import re
from bisect import bisect_right
from collections import Counter
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

__all__ = [
    "CellError",
    "CellPosition",
    "Notebook",
    "NotebookError",
    "diff",
    "from_cells",
    "load",
]

_BOM = b"\xef\xbb\xbf"
_MARKER = "# %% [lp cell {}]"
# The marker of a cell whose first line is indented: its lines are the body of this ``if``.
_INDENTED_MARKER = "if True:  " + _MARKER
_MARKER_RE = re.compile(r"(?:if True:  )?# %% \[lp cell (\d+)\]\Z")
# Cell magics whose body is Python run in the kernel: the body is kept.
KEEP_BODY_CELL_MAGICS = frozenset(["time", "timeit", "prun", "capture", "debug"])
# Line magics whose argument is a Python statement: it is kept, at its columns.
KEEP_BODY_LINE_MAGICS = {
    # magic: options that take a value (getopt style, as IPython parses them)
    "time": "",
    "timeit": "nrp",
    "prun": "DTls",
}
_FLAG_OPTIONS = {"time": "", "timeit": "tcqo", "prun": "rq"}


class NotebookError(ValueError):
    """The notebook cannot be read, or an edited source cannot be written back into it."""


class CellPosition(NamedTuple):
    """Where a position of :attr:`Notebook.source` is in the notebook."""

    cell_index: int  # 0-based among all cells (markdown included)
    cell_number: int  # 1-based among code cells, as nbQA, ruff and Jupyter's In [n] after "Run all" count
    cell_id: Optional[str]  # nbformat 4.5 cell id, None before 4.5
    line: int  # 1-based within the cell
    col: int  # unchanged: characters, as given


class CellError(NamedTuple):
    """A code cell that does not parse; it is blank in :attr:`Notebook.source`."""

    cell_index: int
    cell_number: int
    cell_id: Optional[str]
    line: int  # 1-based within the cell
    col: int  # 0-based, like CellPosition.col
    message: str


class _Cell(object):
    """One cell: where its source value is in the JSON text, and its masked lines."""

    __slots__ = (
        "index", "number", "cell_type", "cell_id", "text", "span", "items", "brace", "key",
        "lines", "endings", "trailing", "masked", "heads", "whole", "first_line", "error", "mode", "indented",
    )

    def __init__(self, index, cell_type, cell_id, text, span, items, brace, key):
        self.index = index  # 0-based among all cells
        self.number = 0  # 1-based among code cells (the cell_N users see); 0 for other cells
        self.cell_type = cell_type
        self.cell_id = cell_id
        self.text = text  # the cell's source, joined
        self.span = span  # (start, end) of the source value in the JSON text; None until located, or from_cells
        self.items = items  # list source: [(value, start, end)]; None for a string source
        self.brace = brace  # index of the cell object's "{"
        self.key = key  # index of the '"source"' key
        self.lines = []  # type: List[str]  # contents, without line endings
        self.endings = []  # type: List[str]
        self.trailing = False  # the text ends with a line ending
        self.masked = []  # type: List[str]  # what each line is in the module
        self.heads = []  # type: List[Optional[Tuple[str, str]]]  # (original head, masked head)
        self.whole = None  # type: Optional[str]  # why the whole cell is masked
        self.first_line = 0  # line of the cell's first line in the module
        self.error = None  # type: Optional[CellError]
        self.mode = (True, False)  # how it was masked: (keep magics' Python bodies, rename __future__)
        self.indented = False  # its first line is indented (IPython dedents it): its marker is an ``if``


# --------------------------------------------------------------------------- JSON


_WS = re.compile(r"[ \t\n\r]*")
_scan_once = json.JSONDecoder().scan_once
_scanstring = json.decoder.scanstring


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return "line {}, column {}".format(line, col)


def _invalid(text: str, index: int, what: str) -> NotebookError:
    return NotebookError("not valid JSON at {}: {}".format(_where(text, index), what))


def _value(text: str, i: int) -> Tuple[Any, int]:
    try:
        return _scan_once(text, i)
    except StopIteration:
        raise _invalid(text, i, "expected a value") from None
    except json.JSONDecodeError as error:
        raise _invalid(text, error.pos, error.msg) from None
    except RecursionError:
        raise _invalid(text, i, "nested too deeply") from None


def _object(text: str, i: int, member) -> Tuple[Dict[str, Any], int]:
    """The object whose "{" is at ``i - 1``; ``member(key, key_index, value_index)`` reads each value."""
    result = {}  # type: Dict[str, Any]
    i = _WS.match(text, i).end()
    if text.startswith("}", i):
        return result, i + 1
    while True:
        if not text.startswith('"', i):
            raise _invalid(text, i, "expected a quoted key")
        key_index = i
        try:
            key, i = _scanstring(text, i + 1)
        except json.JSONDecodeError as error:
            raise _invalid(text, error.pos, error.msg) from None
        i = _WS.match(text, i).end()
        if not text.startswith(":", i):
            raise _invalid(text, i, "expected ':'")
        i = _WS.match(text, i + 1).end()
        result[key], i = member(key, key_index, i)
        i, closed = _next_item(text, i, "}")
        if closed:
            return result, i


def _array(text: str, i: int, element) -> Tuple[List[Any], int]:
    """The array whose "[" is at ``i - 1``; ``element(index)`` reads each value."""
    result = []  # type: List[Any]
    i = _WS.match(text, i).end()
    if text.startswith("]", i):
        return result, i + 1
    while True:
        value, i = element(i)
        result.append(value)
        i, closed = _next_item(text, i, "]")
        if closed:
            return result, i


def _next_item(text: str, i: int, closer: str) -> Tuple[int, bool]:
    """After a value in an object or array: past the ``,`` (False) or the closer (True)."""
    i = _WS.match(text, i).end()
    if text.startswith(",", i):
        return _WS.match(text, i + 1).end(), False
    if text.startswith(closer, i):
        return i + 1, True
    raise _invalid(text, i, "expected ',' or '{}'".format(closer))


def _string_items(text: str, i: int):
    """A list of strings at ``i`` ("["), with each string's span; None when it is not one."""
    items = []

    def element(j):
        if not text.startswith('"', j):
            raise _NotStrings
        try:
            value, end = _scanstring(text, j + 1)
        except json.JSONDecodeError as error:
            raise _invalid(text, error.pos, error.msg) from None
        items.append((value, j, end))
        return value, end

    try:
        _, end = _array(text, i + 1, element)
    except _NotStrings:
        return None, _value(text, i)[1]
    return items, end


class _NotStrings(Exception):
    pass


def _parse(text: str) -> Tuple[Dict[str, Any], List[Tuple[Dict[str, Any], Dict[str, Any]]]]:
    """The top-level object and, per cell, (its dict, where its source is)."""
    found = []  # type: List[Tuple[Dict[str, Any], Dict[str, Any]]]

    def cell(j):
        if not text.startswith("{", j):
            return _value(text, j)
        where = {"brace": j}  # type: Dict[str, Any]

        def member(key, key_index, k):
            if key != "source":
                return _value(text, k)
            where.update(key=key_index, start=k, items=None)
            if text.startswith("[", k):
                items, end = _string_items(text, k)
                where.update(items=items, end=end)
                return ([v for v, _, _ in items] if items is not None else None), end
            value, end = _value(text, k)
            where["end"] = end
            return value, end

        value, end = _object(text, j + 1, member)
        found.append((value, where))
        return value, end

    def top_member(key, key_index, k):
        if key == "cells" and text.startswith("[", k):
            del found[:]  # a repeated "cells" key: the last one counts, as in json.loads
            return _array(text, k + 1, cell)
        return _value(text, k)

    i = _WS.match(text, 0).end()
    if not text.startswith("{", i):
        if i == len(text):
            raise NotebookError("the file is empty: a notebook is a JSON object")
        _value(text, i)  # a JSON error, if it is not JSON at all
        raise NotebookError("not a Jupyter notebook: the file is JSON but not an object")
    top, i = _object(text, i + 1, top_member)
    i = _WS.match(text, i).end()
    if i != len(text):
        raise _invalid(text, i, "extra data after the notebook")
    return top, found


# --------------------------------------------------------------------------- loading


def load(raw: Union[bytes, str], top: Optional[Dict[str, Any]] = None) -> "Notebook":
    """Read an nbformat 4 notebook.  Raises NotebookError with a message a user can act on.

    ``top`` is ``json.loads(raw)`` when the caller decoded it already (lp-fix's prefilter does):
    the JSON is then not decoded twice.
    """
    bom = b""
    if isinstance(raw, bytes):
        if raw.startswith(_BOM):
            bom, raw = _BOM, raw[len(_BOM):]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotebookError(
                "not UTF-8 (byte {} cannot be decoded): a notebook is UTF-8 JSON".format(error.start)
            ) from None
    else:
        text = raw
    if top is None:
        top = _fast_top(text)
    if top is None:  # not a JSON object: the span scanner says where and why, as a user reads it
        top, _ = _parse(text)
    version = top.get("nbformat")
    if "cells" not in top and version is None:
        raise NotebookError("not a Jupyter notebook: no 'nbformat' and no 'cells'")
    if version != 4 or isinstance(version, bool):
        if version == 3 or "worksheets" in top:
            raise NotebookError(
                "nbformat 3 notebook: only nbformat 4 is supported; open and save it in Jupyter, "
                "or run `jupyter nbconvert --to notebook --inplace` on it, to upgrade it"
            )
        raise NotebookError("nbformat {!r} notebook: only nbformat 4 is supported".format(version))
    found = top.get("cells")
    if not isinstance(found, list) or not all(isinstance(value, dict) for value in found):
        raise NotebookError("not a valid nbformat 4 notebook: 'cells' must be a list of objects")
    cells = []
    for index, value in enumerate(found):
        name = "cells[{}]".format(index)  # its type unknown yet: named by its place in the JSON
        cell_type = value.get("cell_type")
        if not isinstance(cell_type, str):
            raise NotebookError("not a valid nbformat 4 notebook: {} has no 'cell_type'".format(name))
        source = value.get("source")
        joined = None
        if isinstance(source, str):
            joined = source
        elif isinstance(source, list):
            try:
                joined = "".join(source)  # raises TypeError unless every item is a str
            except TypeError:
                pass
        if joined is None:
            raise NotebookError(
                "not a valid nbformat 4 notebook: {}'s 'source' must be a string or a list of strings".format(name)
            )
        cell_id = value.get("id")
        cells.append(_Cell(index, cell_type, cell_id if isinstance(cell_id, str) else None, joined, None, None, None,
                           None))
    return Notebook(text, bom, cells, _language(top))


def code_text(top: Any) -> Optional[str]:
    """The code cells' sources of a decoded notebook, one after another, as written (unmasked);
    None when ``top`` is not a notebook's JSON object.  Cheap: for prefilters and indexes."""
    cells = top.get("cells") if isinstance(top, dict) else None
    if not isinstance(cells, list):
        return None
    sources = [cell.get("source") for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    return "\n".join(s if isinstance(s, str) else "".join(i for i in s if isinstance(i, str))
                     for s in sources if isinstance(s, (str, list)))


def _fast_top(text: str) -> Optional[Dict[str, Any]]:
    """The notebook's top-level object by :func:`json.loads` (C, about 8 times faster than the span
    scanner), or None when the text is not a JSON object.  Spans are needed only to rewrite, and
    are found then (:meth:`Notebook._locate`); what json.loads accepts, the scanner reads the same."""
    try:
        top = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return top if isinstance(top, dict) else None


def from_cells(cells: Sequence[Tuple[str, str]], language: Optional[str] = None) -> "Notebook":
    """A notebook from ``(cell_type, text)`` pairs (an editor's notebook document).

    Its ``source`` and positions are those :func:`load` gives; it has no JSON,
    so :meth:`Notebook.rewrite` is not available (map edits with
    :meth:`Notebook.cell_edits` instead).
    """
    made = [_Cell(i, kind, None, text, None, None, None, None) for i, (kind, text) in enumerate(cells)]
    return Notebook(None, b"", made, language)


def _language(top: Dict[str, Any]) -> Optional[str]:
    metadata = top.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        info = metadata.get(key)
        if isinstance(info, dict) and isinstance(info.get(field), str):
            return info[field]
    return None


def _split(text: str) -> Tuple[List[str], List[str]]:
    """Contents and endings of the lines as Python counts them (\\n, \\r\\n, \\r)."""
    if "\r" not in text:  # most cells: one C-level split
        contents = text.split("\n")
        last = contents.pop()
        endings = ["\n"] * len(contents)
        if last:
            contents.append(last)
            endings.append("")
        return contents, endings
    contents, endings = [], []
    for line in io.StringIO(text, newline="").readlines():
        stripped = line.rstrip("\r\n")
        contents.append(stripped)
        endings.append(line[len(stripped):])
    return contents, endings


# --------------------------------------------------------------------------- masking

_QUOTE = re.compile(r"\"\"\"|'''|\"|'|#|[()\[\]{}]")
_ASSIGN_ESCAPE = re.compile(r"(\s*[^=!%#'\"\s][^=!%#]*?)(\s*=\s*)([!%])")
_HELP_END = re.compile(r"%{0,2}(?!\d)[\w*]+(?:\.(?!\d)[\w*]+|\[-?[0-9]+\])*\?\??\Z")
_MAGIC_NAME = re.compile(r"%%?([\w.]+)")
_WORD = re.compile(r"\s+(\S+)")
# A cell without any of these has no IPython syntax: a line starting with an escape,
# an escape after "=", a final "?", a __future__ import.
_MAYBE_IPYTHON = re.compile(r"(?:^|[\r\n])[ \t\f]*[%!?/,;]|=[ \t]*[!%]|\?[ \t]*(?:[\r\n]|\Z)|__future__")
# The same test for a text without "\r" (most cells), 3 times faster: ``(?:^|[\r\n])`` is tried at
# every character, a MULTILINE ``^`` only where a line starts.
_MAYBE_IPYTHON_LF = re.compile(r"^[ \t\f]*[%!?/,;]|=[ \t]*[!%]|\?[ \t]*$|__future__", re.MULTILINE)
_FUTURE = re.compile(r"(\s*from\s+)__future__(?=\s+import\b)")


class _Scan(object):
    """Where a line leaves Python's tokenizer: in a string, brackets or a continuation."""

    __slots__ = ("string", "depth", "continued")

    def __init__(self):
        self.string = None  # type: Optional[str]  # the open quote
        self.depth = 0
        self.continued = False

    @property
    def at_statement(self) -> bool:
        return self.string is None and self.depth == 0 and not self.continued

    def feed(self, line: str) -> int:
        """Scan one line; returns where its comment starts (its length when it has none)."""
        self.continued = False
        i, n = 0, len(line)
        while i < n:
            if self.string is not None:
                quote = self.string
                j = _find_unescaped(line, quote, i)
                if j < 0:
                    if len(quote) == 1 and not _ends_escaped(line):
                        self.string = None  # an unterminated '...' ends with the line
                    return n
                self.string = None
                i = j + len(quote)
                continue
            match = _QUOTE.search(line, i)
            if match is None:
                break
            token = match.group()
            if token == "#":
                return match.start()
            if token in "([{":
                self.depth += 1
            elif token in ")]}":
                self.depth = max(0, self.depth - 1)
            else:
                self.string = token
            i = match.end()
        self.continued = self.string is None and _ends_escaped(line)
        return n


def _ends_escaped(line: str) -> bool:
    """The line ends with an odd number of backslashes."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _find_unescaped(line: str, quote: str, start: int) -> int:
    """The next ``quote`` at or after ``start`` that no backslash escapes; -1 when none."""
    i = start
    while True:
        j = line.find(quote, i)
        if j < 0:
            return -1
        backslashes = 0
        while j - backslashes - 1 >= start and line[j - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return j
        i = j + 1


def _line_magic_body(stripped: str) -> Optional[int]:
    """For ``%time stmt`` and friends: where the Python statement starts (None: no body)."""
    match = _MAGIC_NAME.match(stripped)
    if match is None or stripped.startswith("%%") or match.group(1) not in KEEP_BODY_LINE_MAGICS:
        return None
    name = match.group(1)
    takes_value = KEEP_BODY_LINE_MAGICS[name]
    flags = _FLAG_OPTIONS[name]
    i = match.end()
    if i < len(stripped) and not stripped[i].isspace():
        return None
    while True:
        token = _WORD.match(stripped, i)
        if token is None:
            return None
        word = token.group(1)
        if not word.startswith("-") or len(word) < 2:
            start = token.start(1)
            return start if start >= 5 else None
        letters = word[1:]
        if letters[0] in takes_value:
            if len(letters) == 1:
                token = _WORD.match(stripped, token.end())
                if token is None:
                    return None
            i = token.end()
        elif all(c in flags for c in letters):
            i = token.end()
        else:
            return None


def _mask_statement(content: str, keep_bodies: bool) -> Optional[Tuple[str, bool]]:
    """How a line at the start of a logical line is masked: (masked head, body kept); None: Python."""
    stripped = content.lstrip()
    indent = content[: len(content) - len(stripped)]
    if not stripped or stripped.startswith("#"):
        return None
    first = stripped[0]
    if first == "%":
        body = _line_magic_body(stripped) if keep_bodies else None
        if body is not None:
            head = "pass;".ljust(body)
            return indent + head, True
        return indent + "pass", False
    if first in "!?/,;":
        return indent + "pass", False
    if stripped.endswith("?"):
        scan = _Scan()
        code = stripped[: scan.feed(stripped)]
        if scan.string is None and code == stripped and _HELP_END.search(stripped):
            return indent + "pass", False
    match = _ASSIGN_ESCAPE.match(content)
    if match is not None:
        target, equals, escape = match.group(1), match.group(2), match.group(3)
        at = match.start(3)
        rest = content[at:]
        body = _line_magic_body(rest) if (keep_bodies and escape == "%") else None
        if body is not None:
            return target + equals + " " * body, True
        return target + equals + "...", False
    return None


def _mask_cell(cell: _Cell, keep_bodies: bool, future: bool) -> bool:
    """Mask the cell's IPython syntax; True when a magic's Python body was kept."""
    kept_any = False
    lines = cell.lines
    maybe = _MAYBE_IPYTHON if "\r" in cell.text else _MAYBE_IPYTHON_LF
    if maybe.search(cell.text) is None:  # most cells: nothing to scan
        cell.masked, cell.heads = list(lines), [None] * len(lines)
        return False
    masked = list(lines)
    heads = [None] * len(lines)  # type: List[Optional[Tuple[str, str]]]
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and lines[start].startswith("%%"):
        match = _MAGIC_NAME.match(lines[start])
        name = match.group(1) if match else ""
        if name not in KEEP_BODY_CELL_MAGICS:
            _mask_whole(cell, "%%" + name + " cell")
            return False
        masked[start], heads[start] = "#", (lines[start], "#")
        start += 1
    scan = _Scan()
    swallow = False  # the previous line was a masked line that continues
    last = _last_candidate(lines)
    for number in range(start, len(lines)):
        if number > last and not swallow:
            break  # no line below can be masked: the scan would change nothing
        content = lines[number]
        if swallow:
            masked[number], heads[number] = "#", (content, "#")
            scan.feed(content)
            swallow = not scan.at_statement
            continue
        if scan.at_statement:
            if future and _FUTURE.match(content):
                match = _FUTURE.match(content)
                head = match.group(1) + "__future__"
                new_head = match.group(1) + "_lp_future"
                masked[number], heads[number] = new_head + content[len(head):], (head, new_head)
            else:
                found = _mask_statement(content, keep_bodies)
                if found is not None:
                    new_head, kept = found
                    if kept:
                        kept_any = True
                        head = content[: len(new_head)]
                        masked[number] = new_head + content[len(new_head):]
                        heads[number] = (head, new_head)
                        scan.feed(" " * len(new_head) + content[len(new_head):])
                    else:
                        masked[number], heads[number] = new_head, (content, new_head)
                        scan.feed(content)
                        swallow = not scan.at_statement
                        scan = _Scan() if not swallow else scan
                    continue
        scan.feed(content)
    cell.masked, cell.heads = masked, heads
    return kept_any


def _last_candidate(lines: List[str]) -> int:
    """The index of the last line that :func:`_mask_statement` or the ``__future__`` renaming could
    change (a cheap test that accepts every such line, and some others); -1 when none."""
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number]
        stripped = line.lstrip()
        if stripped[:1] in ("%", "!", "?", "/", ",", ";") or stripped.endswith("?") \
                or ("=" in line and ("!" in line or "%" in line)) or "__future__" in line:
            return number
    return -1


def _mask_whole(cell: _Cell, why: str) -> None:
    cell.whole = why
    cell.masked = ["#"] * len(cell.lines)
    cell.heads = [(line, "#") for line in cell.lines]


def _parse_cell(lines: List[str], first_line: int) -> Tuple[Optional[ast.Module], Optional[SyntaxError]]:
    """The cell's tree with the line numbers it has in the module, or why it does not parse alone.

    Blank lines above the cell's text give its nodes their module lines at no cost, so that the
    cells' trees make the module's (:attr:`Notebook.tree`) without a second parse.  A cell that
    does not parse is compiled again without them: its error's line, and a line a message names
    ("does not match opening parenthesis '[' on line 3"), are the cell's own.
    """
    text = "\n".join(lines) + "\n"
    try:
        return compile("\n" * (first_line - 1) + text, "<cell>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True), None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        tree = compile(text, "<cell>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return None, error
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, deep nesting
        return None, SyntaxError(str(error) or type(error).__name__)
    return ast.increment_lineno(tree, first_line - 1), None


def _parse_indented_cell(lines: List[str], first_line: int) -> Optional[ast.Module]:
    """The tree of a cell whose first line is indented, which IPython dedents before it runs the
    cell; None when the cell does not start indented or does not parse that way either.

    The cell is read as the body of an ``if True:`` written on its marker line, so that no
    column moves (the module model counts an ``if True:`` body as code that surely runs).
    """
    first = next((line for line in lines if line.strip()), "")
    if first[:1] not in (" ", "\t"):
        return None
    text = "\n".join(lines) + "\n"
    try:
        tree = compile("\n" * (first_line - 2) + "if True:\n" + text, "<cell>", "exec", ast.PyCF_ONLY_AST,
                       dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree


# --------------------------------------------------------------------------- the notebook


class Notebook(object):
    """A loaded notebook: its code as one module (:attr:`source`), positions, rewriting."""

    def __init__(self, text: Optional[str], bom: bytes, cells: List[_Cell], language: Optional[str]):
        self._text = text
        self._bom = bom
        self._cells = cells
        self.language = language
        python = language is None or language.lower() in ("python", "python3", "python2", "ipython")
        out = []  # type: List[str]
        self._starts = []  # type: List[int]  # first_line of each code cell (its marker is one above)
        self._code = []  # type: List[_Cell]
        errors = []
        body = []  # type: List[ast.stmt]
        first_code = True
        for cell in cells:
            if cell.cell_type != "code":
                continue
            cell.number = len(self._code) + 1
            cell.lines, cell.endings = _split(cell.text)
            cell.trailing = bool(cell.endings) and cell.endings[-1] != ""
            if not python:
                _mask_whole(cell, "a {} notebook".format(language))
            else:
                cell.mode = (True, not first_code)
                kept = _mask_cell(cell, *cell.mode)
                if cell.whole is None:
                    tree, error = _parse_cell(cell.masked, len(out) + 2)
                    if error is not None and kept:  # e.g. `%time for ...:`: mask those lines whole
                        cell.mode = (False, not first_code)
                        _mask_cell(cell, *cell.mode)
                        tree, error = _parse_cell(cell.masked, len(out) + 2)
                    if error is not None:
                        indented = _parse_indented_cell(cell.masked, len(out) + 2)
                        if indented is not None:
                            tree, error, cell.indented = indented, None, True
                    if tree is not None:
                        body.extend(tree.body)
                    if error is not None:
                        col = max(0, (error.offset or 1) - 1)
                        message = error.msg or str(error)
                        line = error.lineno or 0
                        cell.error = CellError(cell.index, cell.number, cell.cell_id, line, col, message)
                        errors.append(cell.error)
                        cell.masked = [""] * len(cell.lines)
            first_code = False
            out.append((_INDENTED_MARKER if cell.indented else _MARKER).format(cell.index + 1) + "\n")
            self._code.append(cell)
            self._starts.append(len(out) + 1)
            cell.first_line = len(out) + 1
            out.extend(line + "\n" for line in cell.masked)
        self.source = "".join(out)  # type: str
        # What ast.parse(self.source) gives: the cells' statements at their module lines (the
        # markers are comments or the ``if True:`` of a cell that starts indented, and every
        # cell in it parses alone).
        self.tree = ast.Module(body=body, type_ignores=[])
        self.errors = tuple(errors)  # type: Tuple[CellError, ...]
        self._ascii_style = None  # type: Optional[bool]  # decided on the first rewrite

    # ---------------------------------------------------------------- reading

    @property
    def cell_count(self) -> int:
        return len(self._cells)

    def cell_text(self, cell_index: int) -> str:
        """The original source of a cell (markdown and raw cells included)."""
        return self._cells[cell_index].text

    def cell_type(self, cell_index: int) -> str:
        return self._cells[cell_index].cell_type

    def masked_cells(self) -> Dict[int, str]:
        """Code cells masked whole, by cell index, with why (``%%bash cell``, ``a R notebook``)."""
        return {c.index: c.whole for c in self._code if c.whole is not None}

    def position(self, line: int, col: int) -> CellPosition:
        """The cell, and the line in it, of a position in :attr:`source` (1-based line)."""
        k = bisect_right(self._starts, line) - 1
        if k < 0:
            raise ValueError("line {} of the notebook's source is before its first code cell".format(line))
        cell = self._code[k]
        within = line - cell.first_line + 1
        if within > len(cell.lines):
            raise ValueError("line {} of the notebook's source is a cell marker, not in a cell".format(line))
        return CellPosition(cell.index, cell.number, cell.cell_id, within, col)

    def source_line(self, cell_index: int, line: int) -> int:
        """The inverse of :meth:`position`: the line in :attr:`source` of a cell's line (1-based)."""
        cell = self._cells[cell_index]
        if cell.cell_type != "code" or not 1 <= line <= max(1, len(cell.lines)):
            raise ValueError("the cell at index {} has no code line {}".format(cell_index, line))
        return cell.first_line + line - 1

    # ---------------------------------------------------------------- writing

    def cell_edits(self, new_source: str) -> Dict[int, str]:
        """New text of each code cell whose text an edit of :attr:`source` changed, by cell index.

        Raises NotebookError when the edit cannot be mapped back safely.
        """
        lines, _ = _split(new_source)
        found = [(i, int(m.group(1))) for i, m in ((i, _MARKER_RE.match(t)) for i, t in enumerate(lines)) if m]
        expected = [c.index + 1 for c in self._code]
        if [n for _, n in found] != expected:
            raise NotebookError("cannot map the edit back to cells: the cell markers changed")
        if found and found[0][0] != 0 or (not found and lines):
            raise NotebookError("cannot map the edit back to cells: text was added before the first code cell")
        changed = {}  # type: Dict[int, str]
        for k, cell in enumerate(self._code):
            begin = found[k][0] + 1
            end = found[k + 1][0] if k + 1 < len(found) else len(lines)
            new = lines[begin:end]
            if new == cell.masked:
                continue
            where = "cell {}".format(cell.number)
            if cell.error is not None:
                raise NotebookError(
                    "{} does not parse ({}): the notebook is not rewritten".format(where, cell.error.message)
                )
            if cell.whole is not None:
                raise NotebookError("cannot map the edit back to {}: it is masked ({})".format(where, cell.whole))
            text = _restore(cell, new, where)
            if text != cell.text:
                changed[cell.index] = text
        if changed and self.errors:
            error = self.errors[0]
            raise NotebookError(
                "cell {} does not parse ({}): the notebook is not rewritten".format(error.cell_number, error.message)
            )
        return changed

    def rewrite(self, new_source: str) -> bytes:
        """The notebook's bytes with the cells an edit of :attr:`source` changed, and nothing else."""
        if self._text is None:
            raise NotebookError("this notebook was built from cells, not read from a file: use cell_edits")
        changed = self.cell_edits(new_source)
        text = self._text
        if not changed:
            return self._bom + text.encode("utf-8")
        self._locate()
        pieces = []
        at = 0
        for index in sorted(changed):
            cell = self._cells[index]
            start, end = cell.span
            pieces.append(text[at:start])
            pieces.append(self._serialise(cell, changed[index]))
            at = end
        pieces.append(text[at:])
        return self._bom + "".join(pieces).encode("utf-8")

    def _locate(self) -> None:
        """Where each cell's source value is in the JSON text: read by the span scanner, on the
        first rewrite only (checking a notebook never needs it)."""
        if not self._cells or self._cells[0].span is not None:
            return
        _, found = _parse(self._text)
        for cell, (_, where) in zip(self._cells, found):
            cell.span = (where["start"], where["end"])
            cell.items, cell.brace, cell.key = where["items"], where["brace"], where["key"]

    @property
    def _ascii(self) -> bool:
        if self._ascii_style is None:
            self._ascii_style = self._text is not None and _escapes_non_ascii(self._text)
        return self._ascii_style

    def _serialise(self, cell: _Cell, new_text: str) -> str:
        text = self._text
        start, end = cell.span
        if cell.items is None:  # one string, as old Jupyter versions saved sources
            return _dumps(new_text, self._ascii)
        originals = {}  # type: Dict[str, str]
        for value, a, b in reversed(cell.items):
            originals[value] = text[a:b]
        elements = [originals.get(v) or _dumps(v, self._ascii) for v in new_text.splitlines(True)]
        if not elements:
            return "[]"
        if cell.items:
            first_a = cell.items[0][1]
            last_b = cell.items[-1][2]
            opening = text[start + 1:first_a]
            closing = text[last_b:end - 1]
            if len(cell.items) > 1:
                separator = text[cell.items[0][2]:cell.items[1][1]]
            elif "\n" in opening:
                separator = "," + opening
            else:
                separator = "," + _after_comma(text, cell)
        else:
            opening, separator, closing = _layout(text, cell)
        return "[" + opening + separator.join(elements) + closing + "]"


def _after_comma(text: str, cell: _Cell) -> str:
    """The space after commas in the cell's object (compact JSON): "" or " "."""
    i = cell.key - 1
    while i > cell.brace and text[i] in " \t\r\n":
        i -= 1
    return text[i + 1:cell.key] if text[i] == "," else " "


def _layout(text: str, cell: _Cell) -> Tuple[str, str, str]:
    """(opening, separator, closing) for a list where the original source was ``[]``."""
    i = cell.key
    while i > 0 and text[i - 1] in " \t\r\n":
        i -= 1
    key_ws = text[i:cell.key]
    if "\n" not in key_ws:
        return "", "," + _after_comma(text, cell), ""
    newline = "\r\n" if key_ws.endswith("\r\n" + key_ws.rsplit("\n", 1)[1]) else "\n"
    key_indent = key_ws.rsplit("\n", 1)[1]
    j = cell.brace
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    brace_indent = text[j:cell.brace] if j == 0 or text[j - 1] in "\r\n" else ""
    unit = key_indent[len(brace_indent):] or " "
    inner = newline + key_indent + unit
    return inner, "," + inner, newline + key_indent


def _escapes_non_ascii(text: str) -> bool:
    """The file was written with ensure_ascii: only ASCII, and escapes of non-ASCII characters."""
    if not text.isascii():
        return False
    return re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])", text) is not None


def _dumps(value: str, ensure_ascii: bool) -> str:
    token = json.dumps(value, ensure_ascii=ensure_ascii)
    if not ensure_ascii:
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: only an escape can carry them
            token = json.dumps(value, ensure_ascii=True)
    return token


def _restore(cell: _Cell, new: List[str], where: str) -> str:
    """The cell text for its edited module lines: masked lines back to their magic text.

    Lines are paired by position when the count is unchanged (a fixer edits
    within lines), else by a diff whose insertions and deletions may not touch
    a masked line.  The result is masked again and must give ``new`` exactly.
    """
    out = _by_position(cell, new)
    if out is None:
        out = _by_diff(cell, new, where)
    counts = Counter(e for e in cell.endings if e)
    usual = counts.most_common(1)[0][0] if counts else "\n"
    pieces = [content + (ending or usual) for content, ending in out]
    if pieces and not cell.trailing:
        pieces[-1] = out[-1][0]
    text = "".join(pieces)
    check = _Cell(cell.index, "code", None, text, None, None, None, None)
    check.lines, check.endings = _split(text)
    _mask_cell(check, *cell.mode)
    if check.masked != new:
        raise NotebookError("cannot map the edit back to {}: it changes how its IPython lines read".format(where))
    return text


def _unmask(cell: _Cell, i: int, line: str) -> Optional[str]:
    """Line ``i`` of the cell as edited to ``line`` in the module; None when it cannot be."""
    if cell.heads[i] is None:
        return line
    head, masked_head = cell.heads[i]
    if line == cell.masked[i]:
        return cell.lines[i]
    if masked_head == cell.masked[i] or not line.startswith(masked_head):
        return None  # a masked line changed, or the kept body's masked head did
    return head + line[len(masked_head):]


def _by_position(cell: _Cell, new: List[str]) -> Optional[List[Tuple[str, Optional[str]]]]:
    if len(new) != len(cell.masked):
        return None
    out = []
    for i, line in enumerate(new):
        restored = _unmask(cell, i, line)
        if restored is None:
            return None
        out.append((restored, cell.endings[i] or None))
    return out


def _by_diff(cell: _Cell, new: List[str], where: str) -> List[Tuple[str, Optional[str]]]:
    import difflib  # only when a cell changed its line count: ~5 ms to import

    old = cell.masked
    out = []  # type: List[Tuple[str, Optional[str]]]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend((cell.lines[i], cell.endings[i] or None) for i in range(i1, i2))
        elif all(cell.heads[i] is None for i in range(i1, i2)):
            out.extend((line, None) for line in new[j1:j2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2)):
                restored = _unmask(cell, i, new[j])
                if restored is None:
                    raise NotebookError(
                        "cannot map the edit back to {}: line {} is IPython syntax and was changed".format(where, i + 1)
                    )
                out.append((restored, cell.endings[i] or None))
        else:
            raise NotebookError("cannot map the edit back to {}: an IPython line was removed or moved".format(where))
    return out


# --------------------------------------------------------------------------- diffs


def diff(old: Notebook, new_bytes: bytes, path: str) -> str:
    """A unified diff of the code cells (the only ones a rewrite edits) whose source differs, each headed
    ``path:cell_N`` (N counts code cells)."""
    import difflib

    new = load(new_bytes)
    if new.cell_count != old.cell_count:
        raise NotebookError("the notebooks have different cells: {} and {}".format(old.cell_count, new.cell_count))
    chunks = []
    for cell in old._code:
        before, after = cell.text, new.cell_text(cell.index)
        if before == after:
            continue
        name = "{}:cell_{}".format(path, cell.number)
        lines = difflib.unified_diff(_diff_lines(before), _diff_lines(after), name, name)
        chunks.append("".join(lines))
    return "".join(chunks)


def _diff_lines(text: str) -> List[str]:
    contents, _ = _split(text)
    return [line + "\n" for line in contents]
