"""Whether two places of a module can run in the same run, from the ``if`` tests around them.

A builder's ``if self.use_bn: h = batch_norm(h)`` and a trainer's ``if self.use_bn: <train op
under the UPDATE_OPS> else: <bare train op>`` test one flag: the bare train op never runs with
that batch norm.  Two places exclude each other when one stands where a flag (a name, or an
attribute of ``self`` in methods of one class) is true and the other where it is false, each
read through ``and`` / ``or`` / ``not``.  Anything else may run together.
"""
import ast
from typing import Dict, Optional, Set, Tuple

from flake8_learning_phase.core.module import ModuleModel, Scope, dotted

# A flag as the places read it: (who binds it, its text).  ``self.use_bn`` in two methods of a
# class is one flag; a name is one flag where it resolves to the same scope's binding.
_Flag = Tuple[int, str]


def exclusive(model: ModuleModel, first: Tuple[Scope, tuple], second: Tuple[Scope, tuple]) -> bool:
    """``first`` and ``second`` (each a scope and the blocks it stands in) never run together: a
    flag is true around one and false around the other."""
    known = _flags(model, *first)
    if not known:
        return False
    for flag, truth in _flags(model, *second).items():
        if known.get(flag, truth) != truth:
            return True
    return False


def _flags(model: ModuleModel, scope: Scope, blocks: tuple) -> Dict[_Flag, bool]:
    """The flags the ``if`` tests around the place decide, and their truth there."""
    found: Dict[_Flag, bool] = {}
    for block in blocks:
        condition = model.conditions.get(block)
        if condition is None:
            continue
        test, when = condition
        for text, truth in _implied(test, when):
            flag = _flag(scope, text)
            if flag is not None:
                found[flag] = truth
    return found


def _implied(test: ast.expr, when: bool) -> Set[Tuple[str, bool]]:
    """(flag text, truth) that ``test`` being ``when`` implies: ``a and b`` true makes both true,
    ``a or b`` false makes both false, ``not a`` flips."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _implied(test.operand, not when)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And if when else ast.Or):
        return {implied for value in test.values for implied in _implied(value, when)}
    text = dotted(test) if isinstance(test, (ast.Name, ast.Attribute)) else None
    return {(text, when)} if text is not None else set()


def _flag(scope: Scope, text: str) -> Optional[_Flag]:
    root, _, rest = text.partition(".")
    if rest and root == scope.self_name and scope.cls is not None:
        return id(scope.cls), "self." + rest
    owner = scope.lookup(root)
    return (id(owner), text) if owner is not None else None
