"""The project around an analyzed file: its other modules, parsed on demand and cached.

Rule-neutral.  A *project* is the folder tree up to the top-most package
(the highest folder that still has an ``__init__.py``) above the file, or
the file's own folder for a script.  Imports are resolved from the file's
location: an absolute import ``a.b`` is looked for below the folder that
holds the top-most package and below the file's own folder (scripts import
their siblings), and below a folder above those whose name it starts with (a
namespace package holding the project); a relative import from the file's package.

Nothing here runs unless a rule asks: other modules are read only when the
model resolver follows an import into them, each at most once per process
(keyed by path, size and modification time), files over
:data:`MAX_FILE_BYTES` are not read, and at most :data:`MAX_MODULES` parsed
modules are kept.  "Which files mention this name" is answered by one
:class:`ProjectIndex` per project and process (the identifiers of each of its
first :data:`MAX_SCANNED_FILES` files), shared by every analysed file and
question and brought up to date once per analysis: a file whose size or
modification time changed is read again, the others are not.
"""
import ast
import os
import re
from collections import OrderedDict
from typing import Callable, Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Tuple

from flake8_learning_phase.core.module import (
    Import,
    ModuleModel,
    RelativeImport,
    StarImport,
    build,
    qualified_name,
)
from flake8_learning_phase.core.search_path import AddedFolder, added_folders

MAX_FILE_BYTES = 1000000
# A file read by a registered reader (a notebook) may be larger: its outputs (plots) are not code.
MAX_READER_FILE_BYTES = 10000000
# Parsed project modules kept per process, between the analyses of a flake8 run or an lp-lsp
# session (a parsed 300-line module takes about 0.5 MB).  The resolver reads the calls of a
# function from at most MAX_CALLER_MODULES other modules, so a step's callers fit however many.
MAX_MODULES = 64
# Importers of a module are looked for among at most this many project files.
MAX_SCANNED_FILES = 200
# Project indexes kept per process (lp-lsp may see files of several projects).
MAX_INDEXES = 8
# How many folders above a project an absolute import may name as a namespace package.
MAX_NAMESPACE_LEVELS = 5


class ModuleInfo:
    """One module of the project: its path, module model and text.

    Its relative and star imports are the module model's, recorded in the
    one pass that builds it.
    """

    __slots__ = ("path", "model", "text", "_added")

    def __init__(self, path: Optional[str], model: ModuleModel, text: str = ""):
        self.path = path
        self.model = model
        self.text = text
        self._added: Optional[List[str]] = None

    @property
    def relative(self) -> Dict[str, RelativeImport]:
        return self.model.relative

    @property
    def stars(self) -> List[StarImport]:
        return self.model.stars

    @property
    def folder(self) -> Optional[str]:
        return None if self.path is None else os.path.dirname(os.path.abspath(self.path))

    @property
    def added_roots(self) -> List[str]:
        """The existing folders the module adds to ``sys.path`` (computed once)."""
        if self._added is None:
            folder = self.folder
            self._added = [] if folder is None else _existing_folders(added_folders(self.model, self.path), folder)
        return self._added


class ModuleReader(NamedTuple):
    """How the project's files of a suffix that are not Python source are read as modules (a front
    end's notebooks, whose cells call the project's functions): ``words`` gives the code whose
    identifiers the index keeps, ``module`` its text and tree; each None for an unreadable file."""

    words: Callable[[bytes], Optional[str]]
    module: Callable[[bytes], Optional[Tuple[str, ast.Module]]]


_READERS: Dict[str, ModuleReader] = {}


def register_reader(suffix: str, reader: ModuleReader) -> None:
    """Project files ending with ``suffix`` (``.ipynb``) are read with ``reader``: the core knows
    only Python source, the front ends what else holds a project's code."""
    _READERS[suffix] = reader


def _reader(name: str) -> Optional[ModuleReader]:
    extension = os.path.splitext(name)[1].lower()
    return _READERS.get(extension) if extension != ".py" else None


def _read(path: str, size: int) -> Optional[Tuple[Optional[ModuleReader], bytes]]:
    """The file's reader (None for Python source) and bytes; None when it is too large or unreadable."""
    reader = _reader(path)
    if size > (MAX_FILE_BYTES if reader is None else MAX_READER_FILE_BYTES):
        return None
    try:
        with open(path, "rb") as handle:
            return reader, handle.read()
    except OSError:
        return None


_CACHE: "OrderedDict[Tuple[str, int, float], Optional[ModuleInfo]]" = OrderedDict()


def load(path: str) -> Optional[ModuleInfo]:
    """The parsed module at ``path`` (cached), or None when it cannot be read or parsed."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    info = None
    read = _read(path, stat.st_size)
    try:
        if read is not None and read[0] is not None:
            module = read[0].module(read[1])
            info = None if module is None else ModuleInfo(path, build(module[1]), module[0])
        elif read is not None:
            text = read[1].decode("utf-8-sig", errors="replace")
            info = ModuleInfo(path, build(ast.parse(text)), text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
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


# What marks the folder a project is installed from (``pip install -e .``).
_DISTRIBUTION_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_DISTRIBUTION_ROOTS: Dict[str, Optional[str]] = {}


def distribution_root(folder: str) -> Optional[str]:
    """The folder of the ``pyproject.toml``/``setup.py``/``setup.cfg`` at the top-most package
    above ``folder`` (or above the package that holds it through folders without
    ``__init__.py``) or one folder above it; None when there is none (cached per folder).

    A project installed from there imports its packages by name from anywhere: its
    ``notebooks/`` and ``scripts/`` folders, and the packages of a ``src/`` layout.
    """
    if folder not in _DISTRIBUTION_ROOTS:
        found = None
        # its own folder chain first; then from the package a namespace folder sits in
        for top in dict.fromkeys((package_root(folder), package_root(_enclosing_package(folder)))):
            for candidate in (top, os.path.dirname(top)):
                if any(os.path.isfile(os.path.join(candidate, name)) for name in _DISTRIBUTION_FILES):
                    found = candidate
                    break
            if found is not None:
                break
        _DISTRIBUTION_ROOTS[folder] = found
    return _DISTRIBUTION_ROOTS[folder]


def _enclosing_package(folder: str) -> str:
    """The nearest package folder above a folder without ``__init__.py`` (a namespace folder of
    a package: ``pkg/core/common/keras/`` with ``pkg/core/`` a package), at most
    :data:`MAX_NAMESPACE_LEVELS` folders up; ``folder`` itself when it is a package or none is."""
    current = folder
    for _ in range(MAX_NAMESPACE_LEVELS + 1):
        if os.path.isfile(os.path.join(current, "__init__.py")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return folder


def _existing_folders(added: List[AddedFolder], folder: str) -> List[str]:
    """The folders of ``added`` that exist.  One relative to the working directory is looked for
    from the module's folder (where Jupyter runs a notebook and where a script is usually
    started), then from its distribution root (``python scripts/train.py`` run there), then from
    the folder above when it starts with the module's folder's name (a notebook that cloned its
    repository into the working directory: ``sys.path.append("repo/utils")``)."""
    found = []
    for entry in added:
        if not entry.relative:
            candidates = [entry.path]
        else:
            candidates = [os.path.join(folder, entry.path)]
            root = distribution_root(folder)
            if root is not None:
                candidates.append(os.path.join(root, entry.path))
            first = entry.path.replace("\\", "/").split("/")[0]
            if first == os.path.basename(folder):
                candidates.append(os.path.join(os.path.dirname(folder), entry.path))
        for candidate in candidates:
            candidate = os.path.normpath(candidate)
            if os.path.isdir(candidate):
                if candidate not in found:
                    found.append(candidate)
                break
    return found


def search_roots(info: ModuleInfo) -> List[str]:
    """Where an absolute import of ``info`` is looked for: its folder, the folder holding its
    top-most package, the folders it adds to ``sys.path``, and the distribution root with its
    ``src/`` folder."""
    folder = info.folder
    if folder is None:
        return []
    roots = [folder]
    top = package_root(folder)
    if top != folder:
        roots.append(top)
    roots.extend(root for root in info.added_roots if root not in roots)
    distribution = distribution_root(folder)
    if distribution is not None:
        for root in (distribution, os.path.join(distribution, "src")):
            if root not in roots and os.path.isdir(root):
                roots.append(root)
    return roots


def namespace_roots(info: ModuleInfo, first: str) -> List[str]:
    """The folders above the project from which ``first.…`` names a folder holding the project:
    ``agents.rl.nets`` imported in agents/rl/agent.py, where agents/ has no ``__init__.py`` (a
    namespace package; the script that runs it sits beside agents/).  Up to
    :data:`MAX_NAMESPACE_LEVELS` folders above the top-most package are looked at."""
    folder = info.folder
    if folder is None:
        return []
    roots = []
    current = package_root(folder)
    for _ in range(MAX_NAMESPACE_LEVELS):
        parent = os.path.dirname(current)
        if parent == current:
            break
        if os.path.basename(current) == first:
            roots.append(parent)
        current = parent
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
    for root in search_roots(info) + namespace_roots(info, parts[0]):
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
    examples folder of its project (the path below the distribution root, or else below the
    top-most package's folder)."""
    if path is None:
        return False
    name = os.path.basename(path)
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    folder = os.path.dirname(os.path.abspath(path))
    base = distribution_root(folder) or package_root(folder)
    parts = os.path.relpath(folder, base).replace("\\", "/").split("/")
    return any(part in _TEST_FOLDERS for part in parts)


def _walk(top: str, script: bool) -> Iterator[os.DirEntry]:
    """The ``.py`` files of the project at ``top`` and those a registered reader reads (notebooks),
    in a stable order (a script's: its folder)."""
    try:
        with os.scandir(top) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        if (entry.name.endswith(".py") or _reader(entry.name) is not None) and entry.is_file():
            yield entry
        elif not script and entry.is_dir() and not entry.name.startswith(".") \
                and entry.name not in ("__pycache__", "node_modules") \
                and os.path.isfile(os.path.join(entry.path, "__init__.py")):
            folders.append(entry.path)
    for folder in folders:
        yield from _walk(folder, False)


# Folders of a distribution root that hold no code of the project's.
_NOT_CODE_FOLDERS = frozenset({"__pycache__", "node_modules", "build", "dist", "site-packages"})


def _project_entries(top: str, script: bool) -> Iterator[os.DirEntry]:
    """The files :class:`ProjectIndex` reads: the project's, and for a script the ``.py`` files
    of the folder above too (a folder without ``__init__.py`` imported as a namespace package,
    ``from maddpg.buffer import Buffer`` in ../train.py: the scripts beside it may use it).

    For a package installed from a distribution root (:func:`distribution_root`), also the files
    of that root, of its folders without ``__init__.py`` (``notebooks/``, ``scripts/``: where
    the package's classes are built and its functions called) and of a ``src/`` layout."""
    yield from _walk(top, script)
    parent = os.path.dirname(top)
    if script and parent != top:
        yield from _walk(parent, True)
    root = None if script else distribution_root(top)
    if root is None:
        return
    if root != top:
        yield from _walk(root, True)
    try:
        with os.scandir(root) as listing:
            folders = sorted((entry for entry in listing if entry.is_dir()), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in folders:
        if entry.path == top or entry.name.startswith(".") or entry.name in _NOT_CODE_FOLDERS:
            continue
        if entry.name == "src":
            yield from _walk(entry.path, False)
        elif not os.path.isfile(os.path.join(entry.path, "__init__.py")):
            yield from _walk(entry.path, True)


_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _identifiers(path: str, size: int) -> FrozenSet[bytes]:
    """The identifiers of the file's code (a notebook's code cells, not its outputs)."""
    read = _read(path, size)
    if read is None:
        return frozenset()
    reader, raw = read
    code = raw if reader is None else (reader.words(raw) or "").encode("utf-8")
    return frozenset(_IDENTIFIER.findall(code))


class _Indexed(NamedTuple):
    size: int
    mtime: float
    words: FrozenSet[bytes]  # the identifiers the file's text holds


class ProjectIndex:
    """Which of a project's first files mention an identifier; see the module docstring."""

    def __init__(self, top: str, script: bool):
        self.top = os.path.abspath(top)
        self.script = script
        self.files: Dict[str, _Indexed] = {}  # absolute path -> what is indexed, in walk order
        self._by_word: Optional[Dict[bytes, List[str]]] = None

    def refresh(self) -> None:
        """Reads the files added or changed (size, mtime) since the last refresh; forgets removed ones."""
        files: Dict[str, _Indexed] = {}
        for entry in _project_entries(self.top, self.script):
            if len(files) > MAX_SCANNED_FILES:  # one more: the analysed file is left out of every answer
                break
            path = entry.path
            try:
                stat = entry.stat()
            except OSError:
                continue
            known = self.files.get(path)
            if known is not None and known.size == stat.st_size and known.mtime == stat.st_mtime:
                files[path] = known
                continue
            files[path] = _Indexed(stat.st_size, stat.st_mtime, _identifiers(path, stat.st_size))
        if files != self.files:
            self.files = files
            self._by_word = None

    def mentioning(self, word: str, own: str) -> List[str]:
        """The paths of the files (``own`` left out, at most :data:`MAX_SCANNED_FILES`) holding ``word``."""
        if self._by_word is None:
            self._by_word = {}
            for path, indexed in self.files.items():
                for identifier in indexed.words:
                    self._by_word.setdefault(identifier, []).append(path)
        scanned = [path for path in self.files if path != own][:MAX_SCANNED_FILES]
        holding = set(self._by_word.get(word.encode("utf-8"), ()))
        return [path for path in scanned if path in holding]


_INDEXES: "OrderedDict[Tuple[str, bool], ProjectIndex]" = OrderedDict()


def project_index(info: ModuleInfo, analysis: Dict[str, ProjectIndex]) -> Optional[ProjectIndex]:
    """The shared index of ``info``'s project, brought up to date once per ``analysis``.

    ``analysis``: one analysis's indexes by module folder, refreshed already (start with ``{}``).
    """
    folder = info.folder
    if folder is None:
        return None
    if folder in analysis:
        return analysis[folder]
    top = package_root(folder)
    key = (top, top == folder)
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = ProjectIndex(top, top == folder)
        while len(_INDEXES) > MAX_INDEXES:
            _INDEXES.popitem(last=False)
    _INDEXES.move_to_end(key)
    if index not in analysis.values():
        index.refresh()
    analysis[folder] = index
    return index


def files_mentioning(info: ModuleInfo, word: str, analysis: Dict[str, ProjectIndex]) -> Iterator[ModuleInfo]:
    """Project modules whose identifiers include ``word`` (parsed only when they do).

    ``analysis``: as for :func:`project_index`.
    """
    index = project_index(info, analysis)
    if index is None:
        return
    for path in index.mentioning(word, os.path.abspath(info.path or "")):
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
                return dotted_module(submodule.path)
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
    bindings = [b for b in target.model.module.bindings.get(name, ()) if not b.augments]
    if bindings:
        last = bindings[-1]
        if isinstance(last, Import):
            return last.qualified
        return qualified_name(ast.Name(id=name, ctx=ast.Load()), target.model.module)
    return imported_name(target, name, depth + 1)


def dotted_module(path: Optional[str]) -> Optional[str]:
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
    info = ModuleInfo(path, model, text)

    def lookup(name: str) -> Optional[str]:
        if name not in cache:
            cache[name] = imported_name(info, name)
        return cache[name]

    return lookup
