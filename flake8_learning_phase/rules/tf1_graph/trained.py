"""What a train op trains: a ``var_list`` that provably holds only variables the file makes itself.

``opt.minimize(loss, var_list=[patch])`` through a pretrained Keras network
(an adversarial patch, a feature visualisation, a style transfer) trains the
input, not the network: the network is a fixed function run in inference mode
on purpose (its Dropout off, its BatchNormalization on its moving statistics),
and running its update ops would overwrite its statistics.  The
``var_list`` is read from ``minimize``, or for ``apply_gradients`` from the
``compute_gradients(loss, var_list)`` or ``zip(tf.gradients(loss, xs), xs)``
it is given.  Anything else (no ``var_list``, one that cannot be read, a
model's weights, a collection, ``tf.trainable_variables()``) may hold the
network's variables.
"""
import ast
from typing import Optional, Tuple

from flake8_learning_phase.core.module import (
    Append,
    Assignment,
    Augmentation,
    Extend,
    Unpacking,
    is_self_attribute,
    qualified_name,
    reaching,
)
from flake8_learning_phase.flow.calls import argument
from flake8_learning_phase.flow.terms import Context
from flake8_learning_phase.rules.tf1_graph.graph import KerasUse, Training
from flake8_learning_phase.rules.tf1_graph.syntax import is_call_to, record_context

# The calls that make a new variable, which no Keras layer owns.
_VARIABLE_MAKERS = {root + name for root in ("tensorflow.", "tensorflow.compat.v1.")
                    for name in ("Variable", "get_variable")}
_MAX_DEPTH = 8


def frozen(training: Training, use: KerasUse) -> bool:
    """The train op trains none of the model's variables: the model owns variables (its
    BatchNormalization's, a Dense's, a Conv's), and the ``var_list`` holds only variables the file
    makes itself.  A network of weightless layers (``Dropout(0.5)`` on ``tf.matmul(x, w)``, ``w``
    trained) is part of what is trained."""
    return (use.info.owns_updates or use.info.owns_weights) and trains_own_variables_only(training)


def trains_own_variables_only(training: Training) -> bool:
    """The train op's ``var_list`` is known and holds only ``tf.Variable`` / ``tf.get_variable``
    results of this file."""
    var_list = _var_list(training.op.node, record_context(training.op))
    return var_list is not None and _own_variables(var_list[0], var_list[1], 0)


def _var_list(call: ast.Call, where: Context) -> Optional[Tuple[ast.expr, Context]]:
    if call.func.attr == "minimize":
        found = argument(call, 2, "var_list")
        return None if found is None else (found, where)
    pairs = argument(call, 0, "grads_and_vars")
    return None if pairs is None else _pairs_variables(pairs, where, 0)


def _pairs_variables(node: ast.expr, where: Context, depth: int) -> Optional[Tuple[ast.expr, Context]]:
    """The variables of a ``(gradient, variable)`` list: ``compute_gradients``'s ``var_list``,
    ``zip``'s second argument, through names bound once and ``list(...)``."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        bindings = reaching(where.scope, node.id, where.seq, where.blocks)
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment) or bindings[0].value is None:
            return None
        binding = bindings[0]
        return _pairs_variables(binding.value, Context(binding.scope, binding.seq, binding.blocks), depth + 1)
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts \
            and all(isinstance(e, ast.Tuple) and len(e.elts) == 2 for e in node.elts):
        # ``[(tf.sign(grad), var)]``: the second of each pair, as a list
        return ast.List(elts=[e.elts[1] for e in node.elts], ctx=ast.Load()), where
    if not isinstance(node, ast.Call):
        return None
    if is_call_to(node, "compute_gradients") and isinstance(node.func, ast.Attribute):
        found = argument(node, 1, "var_list")
        return None if found is None else (found, where)
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    builtin = node.func.id if isinstance(node.func, ast.Name) and where.scope.lookup(node.func.id) is None else None
    if builtin == "zip" and len(node.args) == 2:
        return node.args[1], where
    if builtin in ("list", "tuple") and len(node.args) == 1:
        return _pairs_variables(node.args[0], where, depth + 1)
    return None


def _own_variables(node: ast.expr, where: Context, depth: int) -> bool:
    """Every element is a variable this file makes (a list of them, a name bound only to them)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(_own_variables(e, where, depth + 1) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _own_variables(node.value, where, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _own_variables(node.left, where, depth + 1) and _own_variables(node.right, where, depth + 1)
    if isinstance(node, ast.Call):
        return qualified_name(node.func, where.scope, where.seq, where.blocks) in _VARIABLE_MAKERS
    if is_self_attribute(node, where.scope):  # ``self.xs = tf.Variable(...)`` in a method
        bindings = where.scope.cls.attr_bindings.get(node.attr, [])
        return bool(bindings) and all(isinstance(b, Assignment) and b.value is not None
                                      and _own_variables(b.value, Context(b.scope, b.seq, b.blocks), depth + 1)
                                      for b in bindings)
    if isinstance(node, ast.Name):
        bindings = reaching(where.scope, node.id, where.seq, where.blocks)
        if len(bindings) == 1 and isinstance(bindings[0], Unpacking):
            return _own_pair_variable(bindings[0], depth)
        if not all(isinstance(b, (Assignment, Augmentation, Append, Extend)) and b.value is not None
                   for b in bindings):
            return False
        # ``patches = []`` then ``patches.append(tf.Variable(...))``: the empty start adds nothing
        filled = [b for b in bindings if not _empty(b.value)]
        return bool(filled) and all(_own_variables(b.value, Context(b.scope, b.seq, b.blocks), depth + 1)
                                    for b in filled)
    return False


def _own_pair_variable(binding: Unpacking, depth: int) -> bool:
    """``grad, var = opt.compute_gradients(loss, [xs])[0]``: ``var`` is one of its ``var_list``."""
    value = binding.value
    if binding.index != 1 or binding.count != 2 or not isinstance(value, ast.Subscript):
        return False
    pairs = value.value
    if not (isinstance(pairs, ast.Call) and isinstance(pairs.func, ast.Attribute)
            and is_call_to(pairs, "compute_gradients")):
        return False
    var_list = argument(pairs, 1, "var_list")
    where = Context(binding.scope, binding.seq, binding.blocks)
    return var_list is not None and _own_variables(var_list, where, depth + 1)


def _empty(node: ast.expr) -> bool:
    return isinstance(node, (ast.List, ast.Tuple)) and not node.elts
