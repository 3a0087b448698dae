"""The project around an analyzed file: its other modules, parsed on demand and cached.

Rule-neutral.  A *project* is the folder tree up to the top-most package
(the highest folder that still has an ``__init__.py``) above the file, or
the file's own folder for a script.  Imports are resolved from the file's
location: an absolute import ``a.b`` is looked for below the folder that
holds the top-most package and below the file's own folder (scripts import
their siblings); a relative import from the file's package.

Nothing here runs unless a rule asks: other modules are read only when the
model resolver follows an import into them, each at most once per process
(keyed by path, size and modification time), files over
:data:`MAX_FILE_BYTES` are not read, and at most :data:`MAX_MODULES` parsed
modules are kept.
"""
import ast
import os
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Tuple

from flake8_learning_phase.core.module import ModuleModel, build

MAX_FILE_BYTES = 1000000
MAX_MODULES = 64
# Importers of a module are looked for among at most this many project files.
MAX_SCANNED_FILES = 200


class ModuleInfo:
    """One module of the project: its path, tree, module model and import facts."""

    __slots__ = ("path", "model", "relative", "stars", "text")

    def __init__(self, path: Optional[str], model: ModuleModel, text: str = ""):
        self.path = path
        self.model = model
        self.text = text
        # local name -> (level, module, imported name) for ``from .m import n``
        self.relative: Dict[str, Tuple[int, str, str]] = {}
        # (level, module) for every ``from m import *`` (level 0 = absolute)
        self.stars: List[Tuple[int, str]] = []
        for node in ast.walk(model.tree) if _has_imports(text) else ():
            if isinstance(node, ast.ImportFrom):
                if any(alias.name == "*" for alias in node.names):
                    self.stars.append((node.level or 0, node.module or ""))
                elif node.level:
                    for alias in node.names:
                        self.relative[alias.asname or alias.name] = (node.level, node.module or "", alias.name)

    @property
    def folder(self) -> Optional[str]:
        return None if self.path is None else os.path.dirname(os.path.abspath(self.path))


def _has_imports(text: str) -> bool:
    return not text or "import" in text


_CACHE: "OrderedDict[Tuple[str, int, float], Optional[ModuleInfo]]" = OrderedDict()


def load(path: str) -> Optional[ModuleInfo]:
    """The parsed module at ``path`` (cached), or None when it cannot be read or parsed."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if stat.st_size > MAX_FILE_BYTES:
        return None
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    info = None
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        text = raw.decode("utf-8-sig", errors="replace")
        info = ModuleInfo(path, build(ast.parse(text)), text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
        info = None
    _CACHE[key] = info
    while len(_CACHE) > MAX_MODULES:
        _CACHE.popitem(last=False)
    return info


def package_root(folder: str) -> str:
    """The folder that holds the top-most package above ``folder`` (``folder`` itself for scripts)."""
    current = folder
    while os.path.isfile(os.path.join(current, "__init__.py")):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return current


def search_roots(info: ModuleInfo) -> List[str]:
    folder = info.folder
    if folder is None:
        return []
    roots = [folder]
    top = package_root(folder)
    if top != folder:
        roots.append(top)
    return roots


def _module_file(base: str, parts: List[str]) -> Optional[str]:
    path = os.path.join(base, *parts) if parts else base
    if parts and os.path.isfile(path + ".py"):
        return path + ".py"
    init = os.path.join(path, "__init__.py")
    if os.path.isfile(init):
        return init
    return None


def resolve_absolute(info: ModuleInfo, dotted_name: str) -> Optional[Tuple[ModuleInfo, List[str]]]:
    """The project module for the longest prefix of ``a.b.c`` that is one, and the rest of the path.

    None when no prefix is a module of the project (a library, or no path known).
    """
    parts = dotted_name.split(".")
    for root in search_roots(info):
        for cut in range(len(parts), 0, -1):
            found = _module_file(root, parts[:cut])
            if found is not None and os.path.abspath(found) != os.path.abspath(info.path or ""):
                loaded = load(found)
                if loaded is not None:
                    return loaded, parts[cut:]
    return None


def resolve_relative(info: ModuleInfo, level: int, module: str) -> Optional[ModuleInfo]:
    """The module ``from <level dots><module> import ...`` names, from ``info``'s location."""
    folder = info.folder
    if folder is None:
        return None
    base = folder
    for _ in range(level - 1):
        base = os.path.dirname(base)
    found = _module_file(base, module.split(".") if module else [])
    return None if found is None else load(found)


def resolve_submodule(info: ModuleInfo, name: str) -> Optional[ModuleInfo]:
    """``info``'s package's submodule ``name`` (``from . import name``), if ``info`` is a package."""
    if info.path is None or os.path.basename(info.path) != "__init__.py":
        return None
    found = _module_file(os.path.dirname(info.path), [name])
    return None if found is None else load(found)


_TEST_FOLDERS = frozenset({"tests", "test", "testing", "examples", "example"})


def is_test_or_example(path: Optional[str]) -> bool:
    """A test module (``test_*.py``, ``*_test.py``, ``conftest.py``) or a module in a tests or
    examples folder of its project (the path below the top-most package's folder)."""
    if path is None:
        return False
    name = os.path.basename(path)
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    folder = os.path.dirname(os.path.abspath(path))
    parts = os.path.relpath(folder, package_root(folder)).replace("\\", "/").split("/")
    return any(part in _TEST_FOLDERS for part in parts)


def project_files(info: ModuleInfo) -> Iterator[str]:
    """The ``.py`` files of ``info``'s project (bounded), ``info``'s own file left out."""
    folder = info.folder
    if folder is None:
        return
    top = package_root(folder)
    own = os.path.abspath(info.path or "")
    count = 0
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "node_modules"))
        if root != top and not os.path.isfile(os.path.join(root, "__init__.py")) and top != folder:
            dirs[:] = []
            continue
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            full = os.path.join(root, name)
            if os.path.abspath(full) == own:
                continue
            count += 1
            if count > MAX_SCANNED_FILES:
                return
            yield full
        if top == folder:
            dirs[:] = []  # a script's project is its folder
    parent = os.path.dirname(top)
    if top == folder and parent != top:
        # a folder without ``__init__.py`` imported as a namespace package (``from maddpg.buffer
        # import Buffer`` in ../train.py): the scripts beside it may use it
        for name in sorted(os.listdir(parent)):
            full = os.path.join(parent, name)
            if name.endswith(".py") and os.path.isfile(full):
                count += 1
                if count > MAX_SCANNED_FILES:
                    return
                yield full


def files_mentioning(info: ModuleInfo, word: str) -> Iterator[ModuleInfo]:
    """Project modules whose text mentions ``word`` (a cheap text test before any parse)."""
    encoded = word.encode("utf-8")
    for path in project_files(info):
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                continue
            with open(path, "rb") as handle:
                if encoded not in handle.read():
                    continue
        except OSError:
            continue
        loaded = load(path)
        if loaded is not None:
            yield loaded


_MAX_IMPORT_DEPTH = 4


def imported_name(info: ModuleInfo, name: str, depth: int = 0) -> Optional[str]:
    """The import path of a module-level ``name`` that ``info`` binds only through the project.

    ``from .nn_blocks import *`` where nn_blocks does ``from keras import
    backend as K`` makes ``K`` stand for ``keras.backend``; so does ``from
    .nn_blocks import K``, and ``from .. import backend as K`` inside a
    package called ``keras``.  None when it cannot be followed.
    """
    if depth > _MAX_IMPORT_DEPTH or info.path is None:
        return None
    if name in info.relative:
        level, module, member = info.relative[name]
        target = resolve_relative(info, level, module)
        if target is not None:
            submodule = resolve_submodule(target, member)
            if submodule is not None:
                return _dotted_module(submodule.path)
            return _module_name(target, member, depth)
        return None
    for level, module in info.stars:
        target = resolve_relative(info, level, module) if level else _project_module(info, module)
        if target is not None:
            found = _module_name(target, name, depth)
            if found is not None:
                return found
    return None


def _project_module(info: ModuleInfo, module: str) -> Optional[ModuleInfo]:
    found = resolve_absolute(info, module)
    return found[0] if found is not None and not found[1] else None


def _module_name(target: ModuleInfo, name: str, depth: int) -> Optional[str]:
    """What ``name`` stands for at the top level of ``target``."""
    from flake8_learning_phase.core.module import Import, qualified_name

    bindings = target.model.module.bindings.get(name, ())
    if bindings:
        last = bindings[-1]
        if isinstance(last, Import):
            return last.qualified
        return qualified_name(ast.Name(id=name, ctx=ast.Load()), target.model.module)
    return imported_name(target, name, depth + 1)


def _dotted_module(path: Optional[str]) -> Optional[str]:
    """``keras.backend`` for .../site-packages/keras/backend/__init__.py (from the package folders)."""
    if path is None:
        return None
    folder, filename = os.path.split(os.path.abspath(path))
    parts = [] if filename == "__init__.py" else [filename[:-3]]
    top = package_root(folder)
    relative = os.path.relpath(folder, top)
    if relative.startswith(os.pardir):
        return None
    return ".".join([p for p in relative.split(os.sep) if p and p != os.curdir] + parts)


def external_names(path: Optional[str], model: ModuleModel, text: str):
    """A function mapping a name the module binds only through the project to its import path."""
    if path is None or ("import *" not in text and "from ." not in text):
        return None
    cache: Dict[str, Optional[str]] = {}
    info: List[ModuleInfo] = []  # made on the first question: it walks the whole tree

    def lookup(name: str) -> Optional[str]:
        if name not in cache:
            if not info:
                info.append(ModuleInfo(path, model, text))
            cache[name] = imported_name(info[0], name)
        return cache[name]

    return lookup
