"""Calls and their arguments: which argument a call passes at a position or keyword, and what
the calls of a function defined in this file pass for one of its parameters.

Rule-neutral questions every family asks of the module model (the K.function steps of their
callers, the train ops of a graph and the parameters they flow through)."""
import ast
from typing import List, Optional, Tuple

from flake8_learning_phase.core.module import CallRecord, FunctionDefinition, ModuleModel, Scope
from flake8_learning_phase.flow.terms import Context, Term


def argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def parameter_arguments(model: ModuleModel, term: Term) -> List[Tuple[ast.expr, Context]]:
    """What the calls in this file pass for the parameter ``term`` stands for.

    Empty when the function is not called here or some call passes it in a way
    that cannot be read (``*args``, ``**kwargs``, the default).
    """
    function = term.context.scope
    parameter = term.node
    if not function.is_function:
        return []
    args = function.node.args
    positional = [a.arg for a in list(getattr(args, "posonlyargs", [])) + list(args.args)]
    if function.self_name is not None:
        positional = positional[1:]
    found = []
    for call in function_calls(model, function):
        node = call.node
        value = None
        for kw in node.keywords:
            if kw.arg == parameter.arg:
                value = kw.value
        if value is None and parameter.arg in positional:
            index = positional.index(parameter.arg)
            before = node.args[: index + 1]
            if len(node.args) > index and not any(isinstance(a, ast.Starred) for a in before):
                value = node.args[index]
        if value is None:
            return []
        found.append((value, Context(call.scope, call.seq, call.blocks)))
    return found


# -- call sites ------------------------------------------------------------------------


def function_calls(model: ModuleModel, function: Scope) -> List[CallRecord]:
    """Calls of a function or method defined in this file (``f(...)``, ``self.f(...)``)."""
    node = function.node
    if not function.is_function:
        return []
    if function.cls is not None:
        return list(function.cls.attr_calls.get(node.name, ()))
    return [
        r
        for scope in model.scopes
        for r in scope.calls.get(node.name, ())
        if _is_def(scope.lookup(node.name), node.name, node)
    ]


def _is_def(scope: Optional[Scope], name: str, node) -> bool:
    return scope is not None and any(
        isinstance(b, FunctionDefinition) and b.node is node for b in scope.bindings[name]
    )
