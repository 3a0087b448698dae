"""The toy family's step finder: the builtin ``print`` calls inside a ``for`` or ``while`` body."""
import ast
from typing import List

from flake8_learning_phase.core import Prefilter, RuleContext
from flake8_learning_phase.core.module import CallRecord

PREFILTER = Prefilter(words=("print",))


def loop_prints(context: RuleContext) -> List[CallRecord]:
    """Once per module, whichever of the family's rules asks first."""
    return context.shared(loop_prints, _find)


def _find(context: RuleContext) -> List[CallRecord]:
    in_loops = {
        id(node)
        for loop in ast.walk(context.model.tree)
        if isinstance(loop, (ast.For, ast.While))
        for statement in loop.body
        for node in ast.walk(statement)
    }
    return [
        record
        for record in context.model.calls_of("print")
        if id(record.node) in in_loops and isinstance(record.node.func, ast.Name)
        and record.scope.lookup("print") is None
    ]
