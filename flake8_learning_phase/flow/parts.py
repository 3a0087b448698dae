"""What a collection is assembled from, across the project: the pieces a value is built of.

A fetch list or a list of ops is often put together by a helper:
``def all_updates(m): return [m.get_updates_for(t) for t in ...]``, a list
filled by ``.append`` in a loop, a function of another module of the project.
:func:`parts` walks a value into its pieces: the elements of lists, tuples and
comprehensions, both sides of ``+``, the bindings of names (assignments,
``+=``, ``.append`` / ``.extend``), the arguments bound to a parameter of a
call being followed, and the returns of the project functions a call calls
(the evaluator's answer to "what does this call return").  A family asks
whether one of the pieces is what it looks for.
"""
import ast
from typing import Iterator, List, Set, Tuple

from flake8_learning_phase.core.evaluator import known_arguments
from flake8_learning_phase.core.module import Append, Assignment, Augmentation, Extend, Parameter, reaching
from flake8_learning_phase.core.values import Frame
from flake8_learning_phase.flow.terms import Context
from flake8_learning_phase.keras.models import resolver

# Calls followed into their functions, one inside the other; pieces looked at in all.
_MAX_CALL_DEPTH = 4
_MAX_PIECES = 2000
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp)


def parts(context, node: ast.expr, where: Context) -> Iterator[Tuple[ast.expr, Frame]]:
    """Every expression the value of ``node`` (evaluated at ``where`` in the analyzed module) is
    assembled from, ``node`` first, with the frame it is evaluated in."""
    evaluator = resolver(context)
    stack: List[Tuple[ast.expr, Frame, int]] = [
        (node, Frame(evaluator.root, where.scope, where.seq, where.blocks, ()), 0)]
    seen: Set[tuple] = set()
    while stack and len(seen) < _MAX_PIECES:
        current, frame, depth = stack.pop()
        key = (id(current), id(frame.scope), frame.seq, frame.envs and id(frame.envs))
        if key in seen or not isinstance(current, ast.expr):
            continue
        seen.add(key)
        yield current, frame
        if isinstance(current, (ast.List, ast.Tuple, ast.Set)):
            stack.extend((element, frame, depth) for element in current.elts)
        elif isinstance(current, ast.Starred):
            stack.append((current.value, frame, depth))
        elif isinstance(current, _COMPREHENSIONS):
            stack.append((current.elt, frame, depth))
        elif isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            stack.extend(((current.left, frame, depth), (current.right, frame, depth)))
        elif isinstance(current, ast.IfExp):
            stack.extend(((current.body, frame, depth), (current.orelse, frame, depth)))
        elif isinstance(current, ast.Name):
            stack.extend((value, inner, depth) for value, inner in _name_parts(current, frame))
        elif isinstance(current, ast.Call) and depth < _MAX_CALL_DEPTH:
            stack.extend((value, inner, depth + 1) for value, inner in evaluator.returns_at(current, frame))


def _name_parts(name: ast.Name, frame: Frame) -> List[Tuple[ast.expr, Frame]]:
    """What a name holds: what a comprehension's own variable iterates, the values its bindings
    put in it, the arguments bound to a parameter of the call being followed."""
    iterated = frame.mod.model.comprehension_elements.get(id(name))
    if iterated is not None:  # ``u`` in ``[u for u in net.updates]``: an element of what it iterates
        return [(iterated, frame)]
    found: List[Tuple[ast.expr, Frame]] = []
    for binding in reaching(frame.scope, name.id, frame.seq, frame.blocks):
        if isinstance(binding, (Assignment, Augmentation, Append, Extend)) and binding.value is not None:
            found.append((binding.value, Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)))
        elif isinstance(binding, Parameter):
            passed = known_arguments(frame, binding.scope)
            found.extend(passed.get(name.id, []) if passed is not None else [])
    return found
