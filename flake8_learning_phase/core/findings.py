"""What the analysis returns: findings that carry their edits (the Fixit habit).

Positions are 1-based lines and 0-based *character* columns (what libcst and
editors count; ``ast`` counts UTF-8 bytes, :class:`~.text.Columns` converts).
A position plus the ``ast`` class name of the node starting there is enough
for a libcst front end to find the same node, because libcst, like ``ast``,
leaves parentheses out of an expression's position.

Each edit is a small type; the fixer keeps one libcst applier per type.
"""
from typing import Optional, Tuple

from flake8_learning_phase.core.records import Record


class NodeRef(Record):
    """The node of ``ast`` class ``kind`` that starts at ``line``:``col``."""

    line: int
    col: int
    kind: str


class Edit(Record):
    """One mechanical change at ``target``; subclasses say which."""

    target: NodeRef


class _TextEdit(Edit):
    text: str  # Python source of the expression the edit inserts


class AppendElement(_TextEdit):
    """Add the expression ``text`` as the last element of a list or tuple literal."""


class Concatenate(_TextEdit):
    """Replace the expression ``e`` with ``e + text``."""


class StarAppend(_TextEdit):
    """Replace the expression ``e`` with ``[*e, text]``: a list for any iterable ``e``."""


class ImportName(Edit):
    """Add ``name`` to a ``from ... import`` statement."""

    name: str


class AddKeyword(Edit):
    """Add ``name=value`` as the last argument of a call."""

    name: str
    value: str


class NameArgument(Edit):
    """Give the call's last positional argument, at ``index``, the keyword ``name``:
    ``f(x, 0.5, flag)`` becomes ``f(x, 0.5, name=flag)`` (an argument passed in the wrong slot)."""

    index: int
    name: str


class Replace(_TextEdit):
    """Replace the expression (or assignment target) with the expression ``text``."""


class InsertAfter(Edit):
    """Add the statements ``text`` (Python source, unindented) after the statement at ``target``,
    at its indentation."""

    text: str


class AddEntry(Edit):
    """Add ``key: value`` as the last entry of a dict literal."""

    key: str
    value: str


class Wrap(Edit):
    """Replace the expression ``e`` with ``before`` + ``e`` + ``after`` (``tf.group(e, *more)``)."""

    before: str
    after: str


class Related(Record):
    """Another place a finding involves; ``role`` says how (e.g. a call site a fix feeds)."""

    target: NodeRef
    role: str


# The role of a call whose arguments a finding's edits change (lp-fix counts them).
CALL_SITE = "call site"


class Finding(Record):
    """One rule violation: where, what, and the edits that fix it.

    ``edits`` is empty when no safe fix exists; ``manual`` then (or
    additionally) says what a person has to do, and where.
    """

    code: str
    line: int
    col: int
    message: str
    edits: Tuple[Edit, ...] = ()
    manual: Optional[str] = None
    related: Tuple[Related, ...] = ()
    end_line: Optional[int] = None  # where the reported node ends (None on Python 3.7)
    end_col: Optional[int] = None

    @property
    def call_sites(self) -> Tuple[NodeRef, ...]:
        """The calls whose arguments this finding's edits change."""
        return tuple(r.target for r in self.related if r.role == CALL_SITE)
