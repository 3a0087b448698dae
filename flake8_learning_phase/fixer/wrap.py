"""Wrap an edited call that the edit pushed past the line-length limit, as black would.

The fixes make a line longer (``K.learning_phase()``, ``+ model.updates``,
``True``).  When a line the fix changed ends up longer than the limit
(flake8's ``max-line-length``), the outermost call that starts and ends on
that line gets its arguments on lines of their own: first all of them on one
indented line (black's "right-hand split"); when that line is still too long,
one argument per line with a trailing comma.  The indentation is the line's
own plus the file's indentation unit (four spaces, two, a tab: whatever the
module uses).  Lines the fix did not change are never rewrapped.
"""
import difflib
from typing import List, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_learning_phase.core import split_lines


def _width(line: str) -> int:
    return len(line.rstrip())  # what pycodestyle's E501 measures


def wrap_long_lines(old: str, new: str, limit: int) -> str:
    """``new`` (``old`` with edits applied) with every too-long changed line's call wrapped."""
    for _ in range(50):  # each round wraps one call; a chunk has few
        line = _first_long_changed_line(old, new, limit)
        if line is None:
            return new
        wrapped = _wrap_call_on(new, line, limit)
        if wrapped is None:
            old = _mark_done(old, new, line)
            continue
        new = wrapped
    return new


def _changed_lines(old: str, new: str) -> List[int]:
    """1-based numbers of the lines of ``new`` that are not lines of ``old``."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    changed = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.extend(range(j1 + 1, j2 + 1))
    return changed


def _first_long_changed_line(old: str, new: str, limit: int) -> Optional[int]:
    lines = split_lines(new)
    for number in _changed_lines(old, new):
        if _width(lines[number - 1]) > limit:
            return number
    return None


def _mark_done(old: str, new: str, line: int) -> str:
    """``old`` with ``new``'s line ``line`` in it, so that line no longer counts as changed."""
    old_lines = split_lines(old)
    new_lines = split_lines(new)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    out: List[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(old_lines[i1:i2])
        else:
            out.extend(old_lines[i1:i2])
            if j1 < line <= j2:
                out.append(new_lines[line - 1])
    return "".join(out)


def _wrap_call_on(source: str, line: int, limit: int) -> Optional[str]:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    calls = [
        (where.end.column - where.start.column, node)
        for node, where in positions.items()
        if isinstance(node, cst.Call) and node.args and where.start.line == line and where.end.line == line
    ]
    if not calls:
        return None
    call = max(calls, key=lambda c: c[0])[1]
    text = split_lines(source)[line - 1]
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    unit = module.default_indent
    for explode in (False, True):
        changed = module.visit(_Replace(call, _wrapped(call, indent, unit, explode))).code
        lines = split_lines(changed)
        span = len(lines) - len(split_lines(source))
        if all(_width(text) <= limit for text in lines[line - 1: line + span]) or explode:
            return changed
    return None  # pragma: no cover


def _break(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), empty_lines=[], indent=False, last_line=cst.SimpleWhitespace(indent)
    )


def _wrapped(call: cst.Call, indent: str, unit: str, explode: bool) -> cst.Call:
    inner, outer = indent + unit, indent
    args = list(call.args)
    if explode:
        args = [
            arg.with_changes(
                comma=cst.Comma(whitespace_after=_break(inner if number < len(args) - 1 else outer)),
                whitespace_after_arg=cst.SimpleWhitespace(""),
            )
            for number, arg in enumerate(args)
        ]
    else:
        last = args[-1]
        args[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=_break(outer))
    return call.with_changes(whitespace_before_args=_break(inner), args=args)


class _Replace(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.CSTNode):
        super().__init__()
        self.old, self.new = old, new

    def on_leave(self, original_node, updated_node):
        return self.new if original_node is self.old else updated_node
