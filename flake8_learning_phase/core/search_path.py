"""The folders a module adds to ``sys.path``, evaluated without running it.

Research code reaches its helpers through such folders more often than through
packages: ``sys.path.append("../utils")`` in a notebook, ``sys.path.insert(0,
os.path.join(os.path.dirname(__file__), "lib"))`` in a script, then ``import
nets``.  The project (:mod:`.project`) looks for absolute imports below these
folders too, so a builder imported that way is read instead of being taken for a
library's.  Rule-neutral.

Only what is known before the module runs is followed: string literals,
``__file__``, ``os.getcwd()``, ``os.path``'s ``join``/``dirname``/``abspath``/
``realpath``/``normpath``, ``str``, ``os.fspath``, ``pathlib.Path`` with
``.parent``, ``.parents[n]``, ``/``, ``.resolve()``/``.absolute()``, string
``+``, and a name bound once to one of these.  Anything else (``expanduser``, an
environment variable, a value a function computes) adds nothing.  A folder
relative to the working directory stays relative (:class:`AddedFolder`): where the
module runs is for the project to guess.
"""
import ast
import os
import posixpath
from typing import List, Optional

from flake8_learning_phase.core.module import Assignment, ModuleModel, Scope, qualified_name, reaching
from flake8_learning_phase.core.records import Record

# Paths relative to the working directory are computed below this stand-in, deep enough that
# ``"../../.."`` stays inside it, and told apart from real paths at the end.
_CWD = "/<cwd>/1/2/3/4/5/6/7/8"
_CWD_TOP = "/<cwd>"
# How many names a path may go through (``ROOT = ...; LIB = os.path.join(ROOT, "lib")``).
_MAX_DEPTH = 6

_JOIN = frozenset({"os.path.join", "posixpath.join"})
_DIRNAME = frozenset({"os.path.dirname", "posixpath.dirname"})
_SAME = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "str",
                   "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})
_CWD_CALLS = frozenset({"os.getcwd", "pathlib.Path.cwd"})
_SAME_METHODS = frozenset({"resolve", "absolute"})


class AddedFolder(Record):
    """A folder given to ``sys.path.append``/``insert``: absolute, or relative to the working
    directory (``"../utils"``; ``"."`` for the working directory itself)."""

    path: str
    relative: bool


def added_folders(model: ModuleModel, path: Optional[str]) -> List[AddedFolder]:
    """Every folder ``model`` adds to ``sys.path`` whose value is known, in source order.

    ``path`` is the module's file, for ``__file__`` (None: unknown, so ``__file__`` is too).
    """
    found = []
    records = model.attribute_calls.get("append", []) + model.attribute_calls.get("insert", [])
    for record in sorted(records, key=lambda r: r.seq):
        call, func = record.node, record.node.func
        wanted = 1 if func.attr == "append" else 2
        if len(call.args) != wanted or call.keywords or not _names_path(func.value):
            continue
        if qualified_name(func.value, record.scope, record.seq, record.blocks) != "sys.path":
            continue
        value = _path(call.args[-1], record.scope, record.seq, path, 0)
        if value is not None:
            found.append(_folder(value))
    return found


def _names_path(node: ast.expr) -> bool:
    """``<x>.path``: the cheap test before the name is resolved (most ``append`` calls are lists')."""
    return isinstance(node, ast.Attribute) and node.attr == "path"


def _folder(value: str) -> AddedFolder:
    if value == _CWD or value.startswith(_CWD_TOP + "/") or value == _CWD_TOP:
        return AddedFolder(posixpath.relpath(value, _CWD), True)
    return AddedFolder(os.path.normpath(value), False)


def _path(node: ast.expr, scope: Scope, seq: int, path: Optional[str], depth: int) -> Optional[str]:
    """What ``node`` holds as an absolute path (a relative one joined to the stand-in working
    directory), or None when that is not known."""
    if depth > _MAX_DEPTH:
        return None
    text = _text(node)
    if text is not None:
        if text.startswith("~") or "$" in text or "\\" in text:
            return None
        return posixpath.normpath(posixpath.join(_CWD, text))
    if isinstance(node, ast.Name):
        return _name(node, scope, seq, path, depth)
    if isinstance(node, ast.Call):
        return _call(node, scope, seq, path, depth)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _path(node.value, scope, seq, path, depth + 1)
        return None if inner is None else posixpath.dirname(inner)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        index = node.slice.value if type(node.slice).__name__ == "Index" else node.slice  # Python < 3.9
        number = _constant(index)
        if type(number) is not int or number < 0:
            return None
        inner = _path(node.value.value, scope, seq, path, depth + 1)
        for _ in range(number + 1):
            inner = None if inner is None else posixpath.dirname(inner)
        return inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
        right = _text(node.right)
        if right is None:
            return None
        if isinstance(node.op, ast.Add):
            left_text = _text(node.left)
            if left_text is not None:  # ``"../" + "src"``: one literal
                return _path(ast.Constant(value=left_text + right), scope, seq, path, depth + 1)
            if not right.startswith("/"):
                return None  # a path's text ends without its separator: ``ROOT + "lib"`` is unknown
        left = _path(node.left, scope, seq, path, depth + 1)
        if left is None:
            return None
        if isinstance(node.op, ast.Div):
            return posixpath.normpath(posixpath.join(left, right))
        return posixpath.normpath(left + right)
    return None


def _constant(node: ast.expr) -> object:
    """A literal's value (Python 3.7 parses literals as ``Str``/``Num``, later ones as ``Constant``);
    None for anything else."""
    if isinstance(node, ast.Constant):
        return node.value
    if type(node).__name__ in ("Str", "Num"):
        return ast.literal_eval(node)
    return None


def _text(node: ast.expr) -> Optional[str]:
    value = _constant(node)
    return value if isinstance(value, str) else None


def _name(node: ast.Name, scope: Scope, seq: int, path: Optional[str], depth: int) -> Optional[str]:
    if node.id == "__file__" and scope.lookup("__file__") is None:
        return None if path is None else os.path.abspath(path).replace(os.sep, "/")
    bindings = [b for b in reaching(scope, node.id, seq, ()) if not b.augments]
    if len(bindings) != 1 or not isinstance(bindings[0], Assignment) or bindings[0].value is None:
        return None
    binding = bindings[0]
    return _path(binding.value, binding.scope, binding.seq, path, depth + 1)


def _call(node: ast.Call, scope: Scope, seq: int, path: Optional[str], depth: int) -> Optional[str]:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _SAME_METHODS and not node.args:
        inner = _path(func.value, scope, seq, path, depth + 1)
        if inner is not None:
            return inner
    name = qualified_name(func, scope, seq)
    if name is None and isinstance(func, ast.Name) and func.id == "str" and scope.lookup("str") is None:
        name = "str"
    if name in _CWD_CALLS and not node.args:
        return _CWD
    if node.keywords or not node.args:
        return None
    if name in _SAME and len(node.args) == 1:
        return _path(node.args[0], scope, seq, path, depth + 1)
    if name in _DIRNAME and len(node.args) == 1:
        inner = _path(node.args[0], scope, seq, path, depth + 1)
        return None if inner is None else posixpath.dirname(inner)
    if name in _JOIN:
        first = _path(node.args[0], scope, seq, path, depth + 1)
        rest = [_text(arg) for arg in node.args[1:]]
        if first is None or None in rest:
            return None
        return posixpath.normpath(posixpath.join(first, *rest))
    return None

