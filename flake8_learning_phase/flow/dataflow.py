"""Where a value comes from: every expression it is computed from, following names.

LP200 asks which models a loss is computed from, and how: the model's own
graph (``model.output``) or the model applied to another tensor
(``netD(fake)``).  Names are followed through the assignments that reach them,
``self.<attr>`` through every method, parameters through the calls of their
function in this file.
"""
import ast
from typing import Iterable, List, NamedTuple, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import (
    Parameter,
    Unpacking,
    class_attribute_bindings,
    dotted,
    is_self_attribute,
    reaching,
    unpacked,
)
from flake8_learning_phase.flow.calls import parameter_arguments
from flake8_learning_phase.flow.terms import Context, Term

# Enough for any loss seen in real training code; beyond it the answer is "cannot tell".
_MAX_NODES = 4000


class Origin(NamedTuple):
    """An expression a value is computed from, and where it is evaluated."""

    node: ast.expr
    context: Context


class Sources(NamedTuple):
    origins: List[Origin]
    complete: bool  # False when the value itself cannot be seen (a parameter without calls, ...)


# A tensor's attributes known when the graph is built: reading them computes nothing.
_STATIC = frozenset({"shape", "get_shape", "dtype", "name"})


def sources(context: RuleContext, node: ast.expr, where: Context, stop=None) -> Sources:
    """Every sub-expression ``node``'s value is computed from, through names and parameters.

    ``complete`` is False when the value itself cannot be seen: it is a
    parameter whose calls are not in this file, or a name whose value is not
    shown.  Such names inside a computation (a placeholder passed in) are
    leaves.  ``stop(origin)`` may say not to look inside an origin.
    """
    origins: List[Origin] = []
    computed = False
    stack: List[Tuple[ast.AST, Context]] = [(node, where)]
    seen = set()
    while stack:
        current, where = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if len(seen) > _MAX_NODES:
            return Sources(origins, False)
        if not isinstance(current, ast.expr):
            continue
        origin = Origin(current, where)
        origins.append(origin)
        if isinstance(current, ast.Name):
            for binding in reaching(where.scope, current.id, where.seq, where.blocks):
                inner = Context(binding.scope, binding.seq, binding.blocks)
                if isinstance(binding, Parameter):
                    stack.extend(parameter_arguments(context, Term("parameter", binding.node, inner)))
                elif isinstance(binding, Unpacking) and unpacked(binding):
                    stack.extend((e, Context(sc, sq, bl)) for e, sc, sq, bl in unpacked(binding))
                elif binding.value is not None:
                    # an element of what a library call returns (``clipped, _ =
                    # tf.clip_by_global_norm(grads, 5)``) is computed from the call, as the whole is
                    stack.append((binding.value, inner))
            continue
        computed = True
        if stop is not None and stop(origin):
            continue
        if is_self_attribute(current, where.scope):
            for binding in class_attribute_bindings(context.model, where.scope.cls, current.attr):
                if binding.value is not None:
                    stack.append((binding.value, Context(binding.scope, binding.seq, binding.blocks)))
        if isinstance(current, ast.Lambda) or isinstance(current, ast.Attribute) and current.attr in _STATIC:
            continue  # ``h.get_shape()[-1]``: a number known when the graph is built, no computation of ``h``
        for child in ast.iter_child_nodes(current):
            if isinstance(child, ast.expr):
                stack.append((child, where))
    return Sources(origins, computed)


def same_value(name: str, here: Context, there: Context) -> bool:
    """True when ``name`` holds the same object at both places.

    The bindings that reach each use are compared after looking through
    ``a, b = f(...)`` into the names ``f`` returns (the GAN shape:
    ``real, fake, d_loss = losses(netG, netD)``).
    """
    first, second = _origins(name, here, 0), _origins(name, there, 0)
    return bool(first) and first == second


def _origins(name: str, where: Context, depth: int) -> frozenset:
    found = set()
    for binding in reaching(where.scope, name, where.seq, where.blocks):
        elements = unpacked(binding) if isinstance(binding, Unpacking) and depth < 3 else []
        if elements and all(isinstance(e, ast.Name) for e, _, _, _ in elements):
            for element, scope, seq, blocks in elements:
                found |= _origins(element.id, Context(scope, seq, blocks), depth + 1)
        else:
            found.add(id(binding))
    return frozenset(found)


def applications(origins: Iterable[Origin], model_text: str) -> List[Origin]:
    """Calls ``<model>(t)`` among the origins: the model applied to another tensor."""
    return [o for o in origins if isinstance(o.node, ast.Call) and dotted(o.node.func) == model_text]
