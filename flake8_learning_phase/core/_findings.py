"""What the analysis returns: findings that carry everything a fixer needs.

Positions are 1-based lines and 0-based *character* columns (what libcst and
editors count; ``ast`` counts UTF-8 bytes, the core converts).  A position plus
the ``ast`` class name of the node starting there is enough for a libcst front
end to find the same node, because libcst, like ``ast``, leaves parentheses out
of an expression's position.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

# Edit actions a fixer applies mechanically; every decision is made in the core.
APPEND = "append"  # add ``text`` as the last element of a list/tuple literal
CONCAT = "concat"  # replace the expression ``e`` with ``e + text``
IMPORT = "import"  # add the name ``text`` to a ``from ... import`` statement


@dataclass(frozen=True)
class NodeRef:
    """The expression of ``ast`` class ``kind`` that starts at ``line``:``col``."""

    line: int
    col: int
    kind: str


@dataclass(frozen=True)
class Edit:
    """One mechanical change: ``action`` applied to ``target`` with source ``text``."""

    target: NodeRef
    action: str
    text: str


@dataclass(frozen=True)
class CallSite:
    """A call of a training step that this file shows, and the feed passed to it."""

    call: NodeRef
    feed: Optional[NodeRef]


@dataclass(frozen=True)
class Step:
    """A backend ``function(...)`` call whose updates come from an optimizer."""

    call: NodeRef
    inputs: NodeRef
    updates: NodeRef
    model: Optional[str]
    call_sites: Tuple[CallSite, ...]
    escapes: bool  # callers outside this file may exist (returned, or no call seen)


@dataclass(frozen=True)
class Finding:
    """One rule violation, with the edits that fix it.

    ``edits`` is empty when the core cannot fix the finding safely; ``manual``
    then (or additionally) says what a person has to do.
    """

    code: str
    line: int
    col: int
    message: str
    step: Step
    edits: Tuple[Edit, ...] = ()
    manual: Optional[str] = None
    calls_fed: Tuple[NodeRef, ...] = ()  # the call sites whose feed ``edits`` extend
    end_line: Optional[int] = None  # where the reported call ends (None on Python 3.7)
    end_col: Optional[int] = None
