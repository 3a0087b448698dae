"""What a ``def`` takes and what a call passes, read off the ``ast``: the questions every
family and the evaluator ask of a signature, answered once (Python 3.7's ``ast.arguments``
has no ``posonlyargs`` field)."""
import ast
from typing import List, Optional


def positional_parameters(args: ast.arguments) -> List[ast.arg]:
    """The positional parameters of a signature, positional-only ones first."""
    return list(getattr(args, "posonlyargs", [])) + list(args.args)


def parameter_names(fdef, bound: bool = False) -> List[str]:
    """The names of a def's positional parameters; without the first (``self``) when ``bound``."""
    names = [a.arg for a in positional_parameters(fdef.args)]
    return names[1:] if bound else names


def keyword_value(call: ast.Call, name: str) -> Optional[ast.expr]:
    """What ``call`` passes as keyword ``name``; None when it passes no such keyword."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None
