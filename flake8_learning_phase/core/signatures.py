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


def can_bind(fdef, call: ast.Call, bound: bool = False) -> bool:
    """Whether ``call``'s arguments fit ``fdef``'s signature (``bound``: ``self`` is given): False
    when Python would raise ``TypeError`` (a required parameter missing, a keyword it does not
    take, too many positions).  A call that unpacks ``*args`` or ``**kwargs`` may fit anything."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords):
        return True
    args = fdef.args
    positional = positional_parameters(args)[1 if bound else 0:]
    only_positional = {a.arg for a in getattr(args, "posonlyargs", [])}
    if len(call.args) > len(positional) and args.vararg is None:
        return False
    given = {a.arg for a in positional[:len(call.args)]}
    names = {a.arg for a in positional} | {a.arg for a in args.kwonlyargs}
    for keyword in call.keywords:
        if (keyword.arg not in names or keyword.arg in only_positional) and args.kwarg is None:
            return False
        given.add(keyword.arg)
    required = [a.arg for a in positional[:len(positional) - len(args.defaults)]]
    required += [a.arg for a, default in zip(args.kwonlyargs, args.kw_defaults) if default is None]
    return all(name in given for name in required)
