"""Apply the core's edits with libcst, keeping every byte outside them.

The rules decide what to change and where (a start position and an ``ast``
node kind); this module only finds the same node in the libcst tree and
changes it, with one applier per edit type (:data:`APPLIERS`).  libcst, like
``ast``, leaves an expression's parentheses out of its position, so the two
agree on where an expression starts.
"""
from typing import Callable, Dict, List, Sequence, Tuple, Type

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_learning_phase.core import (
    AddEntry,
    AddKeyword,
    AppendElement,
    Concatenate,
    Edit,
    ImportName,
    InsertAfter,
    NameArgument,
    NodeRef,
    Replace,
    StarAppend,
    Wrap,
)

# ast class name -> libcst classes that may stand for it.
_KINDS = {name: (getattr(cst, name),) for name in (
    "List", "Tuple", "Name", "Call", "Attribute", "Subscript", "IfExp", "ListComp", "ImportFrom", "Dict", "For")}
_KINDS["BinOp"] = (cst.BinaryOperation,)
# Operators that bind at least as tightly as ``+``: ``e + x`` needs no parentheses.
_TIGHT_OPERATORS = (
    cst.Add,
    cst.Subtract,
    cst.Multiply,
    cst.Divide,
    cst.FloorDivide,
    cst.Modulo,
    cst.MatrixMultiply,
    cst.Power,
)
_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.List,
    cst.Tuple,
    cst.ListComp,
    cst.Dict,
    cst.Set,
    cst.UnaryOperation,
)


class EditError(Exception):
    """An edit whose target is not where the core said it is."""


def locate(wrapper: MetadataWrapper, refs: Sequence[NodeRef]) -> Dict[NodeRef, cst.CSTNode]:
    """The libcst node for each reference; references not found are left out."""
    wanted = {(ref.line, ref.col) for ref in refs}
    positions = wrapper.resolve(PositionProvider)
    candidates: Dict[Tuple[int, int], List[Tuple[cst.CSTNode, object]]] = {}
    for node, where in positions.items():
        if not isinstance(node, (cst.BaseExpression, cst.ImportFrom, cst.For)):
            continue
        for key in _keys(node, where):
            if key in wanted:
                candidates.setdefault(key, []).append((node, where.end))
    found = {}
    for ref in refs:
        kinds = _KINDS.get(ref.kind, (cst.BaseExpression,))
        matches = [(end, node) for node, end in candidates.get((ref.line, ref.col), ()) if isinstance(node, kinds)]
        if matches:
            # The outermost node starting here is the one ``ast`` points at.
            found[ref] = max(matches, key=lambda m: (m[0].line, m[0].column))[1]
    return found


def _keys(node, where):
    yield (where.start.line, where.start.column)
    # ``ast`` (3.8+) puts a parenthesized tuple at its ``(``; libcst after it.
    if isinstance(node, cst.Tuple) and node.lpar:
        space = node.lpar[0].whitespace_after
        if isinstance(space, cst.SimpleWhitespace):
            yield (where.start.line, where.start.column - 1 - len(space.value))


class EditTransformer(cst.CSTTransformer):
    """The one small transformer: applies each edit to the node it targets."""

    def __init__(self, edits: Dict[cst.CSTNode, List[Edit]]):
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        for edit in self.edits.get(original_node, ()):
            updated_node = apply(edit, updated_node)
        return updated_node


def _append_element(edit: AppendElement, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, (cst.List, cst.Tuple)):
        raise EditError("not a list or tuple")
    element = cst.Element(cst.parse_expression(edit.text))
    return node.with_changes(elements=_append(node.elements, element, isinstance(node, cst.Tuple)))


def _concatenate(edit: Concatenate, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.BaseExpression):
        raise EditError("not an expression")
    left = node if _binds_tightly(node) else node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BinaryOperation(left=left, operator=cst.Add(), right=cst.parse_expression(edit.text))


def _star_append(edit: StarAppend, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.BaseExpression):
        raise EditError("not an expression")
    inner = node.with_changes(lpar=[], rpar=[]) if node.lpar else node
    return cst.List(
        [
            cst.StarredElement(inner, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Element(cst.parse_expression(edit.text)),
        ],
        lpar=node.lpar,
        rpar=node.rpar,
    )


def _import_name(edit: ImportName, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        raise EditError("not a from-import of names")
    return node.with_changes(names=_append(node.names, cst.ImportAlias(cst.Name(edit.name)), False))


def _add_keyword(edit: AddKeyword, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.Call):
        raise EditError("not a call")
    argument = cst.Arg(
        value=cst.parse_expression(edit.value),
        keyword=cst.Name(edit.name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    return node.with_changes(args=_append_argument(node, argument))


def _name_argument(edit: NameArgument, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.Call):
        raise EditError("not a call")
    args = list(node.args)
    positional = [index for index, arg in enumerate(args) if arg.keyword is None and not arg.star]
    if any(arg.star for arg in args) or not positional or positional[-1] != edit.index:
        raise EditError("not the call's last positional argument")
    # The argument keeps its place, layout and comments: only its keyword is added.
    args[edit.index] = args[edit.index].with_changes(
        keyword=cst.Name(edit.name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    return node.with_changes(args=args)


def _add_entry(edit: AddEntry, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.Dict):
        raise EditError("not a dict literal")
    entry = cst.DictElement(cst.parse_expression(edit.key), cst.parse_expression(edit.value))
    elements = _append(node.elements, entry, False)
    closing = node.rbrace.whitespace_before
    if len(elements) > 1 and isinstance(closing, cst.ParenthesizedWhitespace) and closing.first_line.comment:
        # libcst keeps the old last entry's comment before the ``}``: it stays with that entry.
        separator = elements[-2].comma
        if isinstance(separator, cst.Comma) and _breaks_line(separator):
            elements[-2] = elements[-2].with_changes(comma=separator.with_changes(
                whitespace_after=separator.whitespace_after.with_changes(first_line=closing.first_line)))
            node = node.with_changes(rbrace=node.rbrace.with_changes(
                whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace())))
    return node.with_changes(elements=elements)


class _Placeholder(cst.CSTTransformer):
    """Puts the wrapped expression where the template holds its placeholder name."""

    def __init__(self, name: str, node: cst.BaseExpression):
        super().__init__()
        self.name = name
        self.node = node

    def leave_Name(self, original_node, updated_node):
        return self.node if updated_node.value == self.name else updated_node


_WRAPPED = "__lp_wrapped__"


def _wrap(edit: Wrap, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.BaseExpression):
        raise EditError("not an expression")
    template = cst.parse_expression(edit.before + _WRAPPED + edit.after)
    # The expression keeps its own layout, comments and parentheses inside the template.
    return template.visit(_Placeholder(_WRAPPED, node))


def _replace(edit: Replace, node: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(node, cst.BaseExpression):
        raise EditError("not an expression")
    return cst.parse_expression(edit.text)


def _insert_after(edit: InsertAfter, node: cst.CSTNode):
    if not isinstance(node, cst.BaseStatement):
        raise EditError("not a statement")
    return cst.FlattenSentinel([node] + [cst.parse_statement(s) for s in _statements(edit.text)])


def _statements(text: str) -> List[str]:
    """The top-level statements of ``text``, each with its indented body."""
    found: List[str] = []
    for line in text.splitlines(keepends=True):
        if found and line[:1] in (" ", "\t"):
            found[-1] += line
        else:
            found.append(line)
    return found


def _append_argument(call: cst.Call, new: cst.Arg) -> list:
    """The call's arguments plus ``new`` last, in the call's layout.

    A call with one argument per line gets the new one on its own line, with
    the same indentation; a comment after the last argument stays there; a
    trailing comma stays; the closing parenthesis keeps its place.
    """
    args = list(call.args)
    if not args:
        return [new]
    last = args[-1]
    comma = last.comma
    indent = _argument_indent(call, args)
    if isinstance(comma, cst.Comma):
        if _breaks_line(comma):
            after = comma.whitespace_after
            separator = comma.with_changes(whitespace_after=_line_break(after.first_line, after.empty_lines, indent))
            closing = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
            trailing = cst.Comma(whitespace_after=closing)
        else:
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            trailing = comma
        args[-1] = last.with_changes(comma=separator)
        args.append(new.with_changes(comma=trailing))
        return args
    closing = last.whitespace_after_arg
    if indent is not None and isinstance(closing, cst.ParenthesizedWhitespace):
        separator = cst.Comma(whitespace_after=_line_break(cst.TrailingWhitespace(), [], indent))
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args[-1] = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    args.append(new.with_changes(whitespace_after_arg=closing))
    return args


def _argument_indent(call: cst.Call, args: list):
    """The line break before an argument of a one-per-line call (a ParenthesizedWhitespace), else None."""
    for arg in reversed(args[:-1]):
        if isinstance(arg.comma, cst.Comma) and _breaks_line(arg.comma):
            return arg.comma.whitespace_after
    opening = call.whitespace_before_args
    return opening if isinstance(opening, cst.ParenthesizedWhitespace) else None


def _line_break(first_line, empty_lines, template):
    if template is None:
        return cst.SimpleWhitespace(" ")
    return cst.ParenthesizedWhitespace(
        first_line=first_line, empty_lines=empty_lines, indent=template.indent, last_line=template.last_line
    )


# The one table the fixer dispatches on: edit type -> its libcst applier.
APPLIERS: Dict[Type[Edit], Callable[[Edit, cst.CSTNode], cst.CSTNode]] = {
    AppendElement: _append_element,
    Concatenate: _concatenate,
    StarAppend: _star_append,
    ImportName: _import_name,
    AddKeyword: _add_keyword,
    NameArgument: _name_argument,
    AddEntry: _add_entry,
    Wrap: _wrap,
    InsertAfter: _insert_after,
    Replace: _replace,
}


def apply(edit: Edit, node: cst.CSTNode) -> cst.CSTNode:
    applier = APPLIERS.get(type(edit))
    if applier is None:
        raise EditError("no applier for {}".format(type(edit).__name__))
    return applier(edit, node)


def _append(elements: Sequence, new, is_tuple: bool) -> list:
    """``elements`` plus ``new`` last, in the layout the sequence already has.

    A multi-line sequence gets the new element on a line of its own with the
    same indentation, and keeps its trailing comma.
    """
    elements = list(elements)
    if not elements:
        return [new]
    last = elements[-1]
    last_comma = last.comma
    if len(elements) > 1 and isinstance(elements[-2].comma, cst.Comma):
        separator = elements[-2].comma
        if _breaks_line(separator):
            # The line break and indentation of the element before, not its comment.
            separator = separator.with_changes(
                whitespace_after=separator.whitespace_after.with_changes(first_line=cst.TrailingWhitespace()))
            if isinstance(last_comma, cst.Comma) and _breaks_line(last_comma):
                # The last element keeps its own comment; the new one closes like it did.
                after = last_comma.whitespace_after
                layout = separator.whitespace_after
                separator = last_comma.with_changes(
                    whitespace_after=after.with_changes(indent=layout.indent, last_line=layout.last_line))
                last_comma = last_comma.with_changes(
                    whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
    elif isinstance(last_comma, cst.Comma) and _breaks_line(last_comma):
        separator = last_comma
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    # A trailing comma stays, except the one that only makes ``(x,)`` a tuple.
    keep = isinstance(last_comma, cst.Comma) and not (is_tuple and len(elements) == 1 and not _breaks_line(separator))
    trailing = last_comma if keep else cst.MaybeSentinel.DEFAULT
    elements[-1] = last.with_changes(comma=separator)
    elements.append(new.with_changes(comma=trailing))
    return elements


def _breaks_line(comma: cst.Comma) -> bool:
    return isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def _binds_tightly(node: cst.BaseExpression) -> bool:
    if node.lpar:
        return True
    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, _TIGHT_OPERATORS)
    return isinstance(node, _ATOMS) or isinstance(node, (cst.BaseNumber, cst.BaseString))
