"""Calls and their arguments: which argument a call passes at a position or keyword, and what
the calls of a function defined in this file pass for one of its parameters.

Rule-neutral questions every family asks (the K.function steps of their callers, the train ops
of a graph and the parameters they flow through).  "Who calls this function" has one answer,
the evaluator's (:meth:`~flake8_learning_phase.core.evaluator.Evaluator.invocations`); the
families' in-file data flow keeps the calls made in this file.
"""
import ast
from typing import List, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.evaluator import Invocation
from flake8_learning_phase.core.module import Scope
from flake8_learning_phase.core.signatures import keyword_value
from flake8_learning_phase.flow.terms import Context, Term
from flake8_learning_phase.keras.models import resolver


def argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    value = keyword_value(call, keyword)
    if value is not None:
        return value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def function_calls(context: RuleContext, function: Scope) -> List[Invocation]:
    """The calls in this file of a function or method defined in it (``f(...)``, ``self.f(...)``,
    ``obj.f(...)`` on an instance, ``g(f)`` where ``g`` calls its parameter)."""
    if not function.is_function:
        return []
    return resolver(context).calls_in_root(function)


def parameter_arguments(context: RuleContext, term: Term) -> List[Tuple[ast.expr, Context]]:
    """What the calls in this file pass for the parameter ``term`` stands for.

    Empty when the function is not called here or some call passes it in a way
    that cannot be read (``*args``, ``**kwargs``, the default).
    """
    function = term.context.scope
    evaluator = resolver(context)
    found = []
    for call, frame, bound in function_calls(context, function):
        passed = evaluator.bind_arguments(function.node, call, frame, bound).get(term.node.arg)
        if not passed:
            return []
        value, where = passed[0]
        found.append((value, Context(where.scope, where.seq, where.blocks)))
    return found
