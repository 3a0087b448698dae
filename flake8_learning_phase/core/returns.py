"""Which ``return`` statements of a function one of its calls can reach, from what the call passes.

A helper written for two uses returns different things: ``def act(x=None)`` that does ``if x
is None: return Activation("relu")`` and then ``return Activation("relu")(x)`` gives a layer to
``act()`` and a tensor to ``act(h)``; ``def norm(t, kind="none")`` with ``if kind == "bn":
return BatchNormalization()(t)`` normalises only for the calls that pass ``"bn"``.  Taking every
return puts a tensor among a ``Sequential``'s layers, or a BatchNormalization into a network no
call builds with one.  Only ``if`` tests of a parameter against a constant are decided (``is
None``, ``is not None``, ``==``, ``!=``), and only when every value the call may pass for it is
a constant (or, for ``is None``, surely not None), and ``isinstance(p, str)`` (or another type
a constant has) where each is a constant or an object; anything else keeps every return.
"""
import ast
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from flake8_learning_phase.core.values import NONE_VALUE, Literal

# A value a parameter may hold that is not a constant, and is not None either (an object).
_OBJECT = object()
# What the evaluator says an argument stands for: a list of values.
Evaluate = Callable[[ast.expr, object], list]


def reachable_returns(fdef, call: ast.Call, passed: Dict[str, list], returns: Sequence[tuple],
                      evaluate: Evaluate) -> List[tuple]:
    """``returns`` (the scope's ``(Return, seq, blocks)`` triples) that the call can reach;
    all of them when nothing can be decided.  ``passed``: parameter name -> [(argument, frame)];
    ``evaluate(argument, frame)``: what an argument may stand for."""
    if len(returns) < 2:
        return list(returns)
    tested = _tested_parameters(fdef)
    if not tested:
        return list(returns)
    unpacked = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
    defaults = _defaults(fdef)
    states: Dict[str, Optional[list]] = {}
    for name in tested & set(defaults):
        given = passed.get(name)
        if given:
            states[name] = _possible(given, evaluate)
        elif not unpacked and defaults[name] is not None and _constant(defaults[name]):
            states[name] = [_value(defaults[name])]
    if not any(state is not None for state in states.values()):
        return list(returns)
    reached, _ = _reached(fdef.body, states)
    kept = [entry for entry in returns if id(entry[0]) in reached]
    return kept or list(returns)


def compared_truth(test: ast.expr, evaluate: Callable[[ast.expr], list]) -> Optional[bool]:
    """The truth of a test of a name against a constant (``kind == "bn"``, ``norm is None``,
    ``isinstance(p, str)``) for every value ``evaluate`` says the name may hold; None when that
    is not decided (a test of another shape, a value that cannot be seen, an object compared
    with ``==``)."""
    compared = _comparison(test)
    if compared is None:
        return None
    name = test.left if isinstance(test, ast.Compare) else test.args[0]
    possible = _possible([(name, None)], lambda node, frame: evaluate(node))
    return _truth(test, {compared[0]: possible})


def _tested_parameters(fdef) -> Set[str]:
    """The names an ``if`` of the function's own body compares with a constant."""
    names = set()
    for node in ast.walk(fdef):
        compared = _comparison(node.test) if isinstance(node, ast.If) else None
        if compared is not None:
            names.add(compared[0])
    return names


def _possible(given: list, evaluate: Evaluate) -> Optional[list]:
    """What the argument may hold, as Python values (:data:`_OBJECT` for an object that is no
    constant); None when some value cannot be seen."""
    found = []
    for expr, frame in given:
        if _constant(expr):
            found.append(_value(expr))
            continue
        for value in evaluate(expr, frame):
            if value == NONE_VALUE:
                found.append(None)
            elif isinstance(value, Literal):
                # ``Literal(None)`` is an f-string: a string, but which one is not known
                found.append(_OBJECT if value.value is None else value.value)
            elif type(value).__name__ == "Unseen":
                return None
            else:
                found.append(_OBJECT)
    return found or None


def _defaults(fdef) -> Dict[str, Optional[ast.expr]]:
    """Every named parameter and its default (None when it has none)."""
    args = fdef.args
    positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
    found: Dict[str, Optional[ast.expr]] = {a.arg: None for a in positional}
    for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        found[arg.arg] = default
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        found[arg.arg] = default
    return found


def _constant(node) -> bool:
    return type(node).__name__ in ("Constant", "NameConstant", "Num", "Str", "Bytes")


def _value(node):
    for field in ("value", "n", "s"):
        if hasattr(node, field):
            return getattr(node, field)
    return None


# ``isinstance(p, str)``: the builtin types a constant can be, and no other object is.
_CONSTANT_TYPES = {"str": str, "bytes": bytes, "int": int, "float": float, "bool": bool}


def _comparison(test) -> Optional[Tuple[str, object, object]]:
    """``p is None``, ``p is not None``, ``p == "bn"``, ``p != 0``: the name, operator, constant;
    ``isinstance(p, str)``: the name, ``isinstance``, the type."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name) \
            and _constant(test.comparators[0]):
        op, constant = test.ops[0], _value(test.comparators[0])
        if isinstance(op, (ast.Eq, ast.NotEq)) or isinstance(op, (ast.Is, ast.IsNot)) and constant is None:
            return test.left.id, op, constant
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" \
            and len(test.args) == 2 and not test.keywords and isinstance(test.args[0], ast.Name) \
            and isinstance(test.args[1], ast.Name) and test.args[1].id in _CONSTANT_TYPES:
        return test.args[0].id, isinstance, _CONSTANT_TYPES[test.args[1].id]
    return None


def _truth(test: ast.expr, states: Dict[str, Optional[list]]) -> Optional[bool]:
    """The test decided for every value the call may pass; None when it is not decided."""
    compared = _comparison(test)
    possible = states.get(compared[0]) if compared is not None else None
    if possible is None:
        return None
    _, op, constant = compared
    if op is isinstance:  # an object that is no constant is none of these types either
        return _decided({value is not _OBJECT and isinstance(value, constant) for value in possible})
    if isinstance(op, (ast.Is, ast.IsNot)):
        outcomes = {value is None for value in possible}
    elif any(value is _OBJECT for value in possible):
        return None  # an object's ``__eq__`` (a tensor's, elementwise): left undecided
    else:  # constants compare as Python compares them at run time (``1 == 1.0``)
        outcomes = {value == constant for value in possible}
    truth = _decided(outcomes)
    if truth is None:
        return None
    return truth if isinstance(op, (ast.Is, ast.Eq)) else not truth


def _decided(outcomes: Set[bool]) -> Optional[bool]:
    return next(iter(outcomes)) if len(outcomes) == 1 else None


def _reached(body: List[ast.stmt], states: Dict[str, Optional[list]]) -> Tuple[Set[int], bool]:
    """The returns the statements can reach, and whether running them surely leaves the function."""
    found: Set[int] = set()
    for stmt in body:
        if isinstance(stmt, ast.Return):
            found.add(id(stmt))
            return found, True
        if isinstance(stmt, ast.Raise):
            return found, True
        if isinstance(stmt, ast.If):
            known = _truth(stmt.test, states)
            branches = [stmt.body] if known is True else [stmt.orelse] if known is False else [stmt.body, stmt.orelse]
            leaves = True
            for branch in branches:
                inner, exits = _reached(branch, states)
                found |= inner
                leaves = leaves and exits
            if leaves:
                return found, True
            continue
        # a loop, ``with`` or ``try``: any return in it may run, and it may not leave
        found |= {id(node) for node in ast.walk(stmt) if isinstance(node, ast.Return)}
    return found, False
