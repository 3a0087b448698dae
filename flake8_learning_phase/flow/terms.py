"""What an inputs, updates or params expression is made of, following assignments.

An expression is flattened into *terms*: the pieces that ``+``, ``+=``,
``.append``/``.extend``, star-unpacking and re-bound names put together.  Each
name is followed through the assignments that reach it (not matched by
spelling), ``self.<attr>`` through every method of the class.
"""
import ast
from typing import List, NamedTuple, Optional

from flake8_learning_phase.core.module import (
    Append,
    Assignment,
    Augmentation,
    Extend,
    ItemAssignment,
    Parameter,
    Scope,
    Unpacking,
    qualified_name,
    reaching,
    unpacked,
)
from flake8_learning_phase.keras.backend import is_phase_call

# Term kinds.
ITEM = "item"  # one element of a list/tuple literal, not the learning phase
PHASE = "phase"  # the learning phase (a list element, or appended)
OPTIMIZER = "optimizer"  # <optimizer>.get_updates(...), .minimize(...), .apply_gradients(...)
MODEL_UPDATES = "model_updates"  # <x>.updates, <x>.get_updates_for(...)
ATTRIBUTE = "attribute"  # <x>.<attr> of something that is not self: model.inputs, ...
PARAMETER = "parameter"  # a parameter of the enclosing function
CALL = "call"  # the result of a call we cannot see into
UNKNOWN = "unknown"  # anything else we cannot see into

# The optimizer calls whose result trains: a Keras optimizer's update ops, and the train op of a
# TensorFlow optimizer (``tf.train.AdamOptimizer(lr).apply_gradients(...)``), which K.function
# runs as an update all the same.
TRAIN_OPS = frozenset({"minimize", "apply_gradients"})  # one op each, not a list of them
OPTIMIZER_METHODS = TRAIN_OPS | {"get_updates"}
_MAX_DEPTH = 30
_CONVERTERS = ("list", "tuple")


class Context(NamedTuple):
    """Where an expression is evaluated: its scope, visit order and blocks."""

    scope: Scope
    seq: int
    blocks: tuple


class Term(NamedTuple):
    kind: str
    node: Optional[ast.AST]
    context: Context


def flatten(node: ast.expr, context: Context) -> List[Term]:
    """The terms ``node`` is built from, following names and ``self`` attributes."""
    terms: List[Term] = []
    _flatten(node, context, terms, set(), 0)
    return terms


def _flatten(node, context, terms, seen, depth):
    if depth > _MAX_DEPTH or id(node) in seen:
        terms.append(Term(UNKNOWN, node, context))
        return
    seen = seen | {id(node)}
    depth += 1
    if _is_concat(node):
        for operand in _operands(node):
            _flatten(operand, context, terms, seen, depth)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            if isinstance(element, ast.Starred):
                _flatten(element.value, context, terms, seen, depth)
            else:
                terms.append(_item(element, context, seen, depth))
    elif isinstance(node, ast.Starred):
        _flatten(node.value, context, terms, seen, depth)
    elif isinstance(node, ast.IfExp):
        _flatten(node.body, context, terms, seen, depth)
        _flatten(node.orelse, context, terms, seen, depth)
    elif isinstance(node, ast.Name):
        bindings = reaching(context.scope, node.id, context.seq, context.blocks)
        if not bindings:
            terms.append(Term(UNKNOWN, node, context))
        for binding in bindings:
            _binding(binding, terms, seen, depth)
    elif isinstance(node, ast.Attribute):
        _attribute(node, context, terms, seen, depth)
    elif isinstance(node, ast.Call):
        _call(node, context, terms, seen, depth)
    else:
        terms.append(Term(UNKNOWN, node, context))


def _is_concat(node) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)


def _operands(node) -> List[ast.expr]:
    """``a + b + c`` left to right, without recursing down a long chain."""
    rights = []
    while _is_concat(node):
        rights.append(node.right)
        node = node.left
    rights.append(node)
    rights.reverse()
    return rights


def _binding(binding, terms, seen, depth):
    context = Context(binding.scope, binding.seq, binding.blocks)
    if isinstance(binding, (Assignment, Augmentation, Extend)):
        _flatten(binding.value, context, terms, seen, depth)
    elif isinstance(binding, (Append, ItemAssignment)):  # an element added, or one replaced
        terms.append(_item(binding.value, context, seen, depth))
    elif isinstance(binding, Unpacking) and unpacked(binding):
        for element, scope, seq, blocks in unpacked(binding):
            _flatten(element, Context(scope, seq, blocks), terms, seen, depth)
    elif isinstance(binding, Parameter):
        terms.append(Term(PARAMETER, binding.node, context))
    else:
        terms.append(Term(UNKNOWN, binding.node, context))


def _attribute(node, context, terms, seen, depth):
    scope = context.scope
    if (
        scope.cls is not None
        and isinstance(node.value, ast.Name)
        and node.value.id == scope.self_name
    ):
        bindings = scope.cls.attr_bindings.get(node.attr, ())
        if not bindings:
            terms.append(Term(UNKNOWN, node, context))
        # Methods run in any order: every binding in the class may reach.
        for binding in bindings:
            _binding(binding, terms, seen, depth)
    elif node.attr == "updates":
        terms.append(Term(MODEL_UPDATES, node, context))
    else:
        terms.append(Term(ATTRIBUTE, node, context))


def _call(node, context, terms, seen, depth):
    func = node.func
    if isinstance(func, ast.Attribute):
        if func.attr in OPTIMIZER_METHODS:
            kind = CALL if _is_own_method(func.value, func.attr, context.scope) else OPTIMIZER
            terms.append(Term(kind, node, context))
            return
        if func.attr == "get_updates_for":
            terms.append(Term(MODEL_UPDATES, node, context))
            return
    if is_phase_call(node, *context):
        terms.append(Term(PHASE, node, context))
    elif (
        isinstance(func, ast.Name)
        and func.id in _CONVERTERS
        and len(node.args) == 1
        and not node.keywords
        and context.scope.lookup(func.id) is None
    ):
        _flatten(node.args[0], context, terms, seen, depth)
    else:
        terms.append(Term(CALL, node, context))


def _item(element, context, seen, depth) -> Term:
    """A single element: the learning phase or a TensorFlow optimizer's train op, directly or
    through a name, or an item."""
    if is_phase_call(element, *context):
        return Term(PHASE, element, context)
    if isinstance(element, (ast.Name, ast.Attribute, ast.Call)):
        inner: List[Term] = []
        _flatten(element, context, inner, seen, depth)
        if any(term.kind == PHASE for term in inner):
            return Term(PHASE, element, context)
        if len(inner) == 1 and inner[0].kind == OPTIMIZER and inner[0].node.func.attr in TRAIN_OPS:
            return inner[0]  # ``updates=[apply]``: an op, one element of the list
    return Term(ITEM, element, context)


def _is_own_method(owner, method: str, scope) -> bool:
    """``self.get_updates`` / ``super().apply_gradients`` in a class that defines the method.

    That is an optimizer implementing itself, not a training step.
    """
    cls = scope.cls
    if cls is None or method not in cls.methods:
        return False
    if isinstance(owner, ast.Name):
        return owner.id == scope.self_name
    return isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"


def literal_items(node: ast.expr, context: Context, classify: bool = True, depth: int = 0) -> Optional[List[Term]]:
    """The elements of a list built only from literals on every path, else None.

    Used to compare a feed's length with the inputs' length (LP101): only
    when both are certain.  ``classify=False`` skips telling the learning
    phase from other items, when only the length matters.
    """
    if depth > _MAX_DEPTH:
        return None
    depth += 1
    if isinstance(node, (ast.List, ast.Tuple)):
        if any(isinstance(element, ast.Starred) for element in node.elts):
            return None
        if not classify:
            return [Term(ITEM, element, context) for element in node.elts]
        return [_item(element, context, set(), 0) for element in node.elts]
    if _is_concat(node):
        items: List[Term] = []
        for operand in _operands(node):
            part = literal_items(operand, context, classify, depth)
            if part is None:
                return None
            items.extend(part)
        return items
    if isinstance(node, ast.Name):
        bindings = reaching(context.scope, node.id, context.seq, context.blocks)
        if not bindings or not isinstance(bindings[0], Assignment):
            return None
        if any(isinstance(b, Assignment) for b in bindings[1:]):
            return None  # conditional re-binding: the length is not certain
        if any(b.blocks != bindings[0].blocks for b in bindings[1:]):
            return None  # conditional append: the length is not certain
        if any(isinstance(b, ItemAssignment) for b in bindings):
            return None  # an element set by index: which one it replaces (or adds) is not certain
        items: List[Term] = []
        for binding in bindings:
            inner = Context(binding.scope, binding.seq, binding.blocks)
            if isinstance(binding, Append):
                items.append(_item(binding.value, inner, set(), 0) if classify else Term(ITEM, binding.value, inner))
                continue
            part = literal_items(binding.value, inner, classify, depth)
            if part is None:
                return None
            items.extend(part)
        return items
    return None


def constructor_name(node: ast.expr, where: Context) -> Optional[str]:
    """The qualified name of the call that made ``node``: ``node`` itself, or the one call a name
    is bound to by its one reaching assignment (``head = tf.estimator.RegressionHead()``)."""
    if isinstance(node, ast.Name):
        bindings = reaching(where.scope, node.id, where.seq, where.blocks)
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment):
            return None
        binding = bindings[0]
        node, where = binding.value, Context(binding.scope, binding.seq, binding.blocks)
    if not isinstance(node, ast.Call):
        return None
    return qualified_name(node.func, where.scope, where.seq, where.blocks)
