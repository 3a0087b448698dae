"""One pass over the stdlib ``ast`` tree: scopes, bindings, calls and imports.

The rules only ever ask "what reaches this name here?" and "where is this
called?", so the pass records exactly that and nothing else.  It walks the
``ast`` tree flake8 already built, because a libcst parse costs ~10x
``ast.parse`` and libcst scope metadata ~90x (issue 2).
"""
import ast
import sys
from typing import Dict, List, Optional, Tuple

# Binding kinds.  ASSIGN rebinds the name; the augmenting kinds add to it.
ASSIGN = "assign"
AUGMENT = "augment"  # x += value
APPEND = "append"  # x.append(value) / x.insert(i, value)
EXTEND = "extend"  # x.extend(value)
PARAM = "param"
IMPORT = "import"  # value is the qualified name, a str
DEF = "def"  # value is the FunctionDef
OPAQUE = "opaque"  # for targets, with-as, unpacking: nothing to see
AUGMENTING = (AUGMENT, APPEND, EXTEND)

_FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Binding:
    """One event that binds or extends a name (or a ``self`` attribute)."""

    __slots__ = ("seq", "blocks", "kind", "value", "scope", "node")

    def __init__(self, seq, blocks, kind, value, scope, node):
        self.seq = seq
        self.blocks = blocks
        self.kind = kind
        self.value = value
        self.scope = scope
        self.node = node


class CallRecord:
    """A call, with where it stands: its scope, visit order and enclosing blocks."""

    __slots__ = ("node", "scope", "seq", "blocks")

    def __init__(self, node, scope, seq, blocks):
        self.node = node
        self.scope = scope
        self.seq = seq
        self.blocks = blocks


class ClassInfo:
    """A class body: the ``self.<attr>`` bindings and calls of all its methods."""

    __slots__ = ("node", "methods", "attr_bindings", "attr_calls")

    def __init__(self, node):
        self.node = node
        self.methods: Dict[str, "Scope"] = {}
        self.attr_bindings: Dict[str, List[Binding]] = {}
        self.attr_calls: Dict[str, List[CallRecord]] = {}


class Scope:
    """A module, function or class body: its bindings, calls of names, returns."""

    __slots__ = ("node", "parent", "cls", "self_name", "bindings", "calls", "returns", "reads")

    def __init__(self, node, parent, cls=None, self_name=None):
        self.node = node
        self.parent = parent
        self.cls = cls  # ClassInfo when this is a method
        self.self_name = self_name  # first parameter of a method
        self.bindings: Dict[str, List[Binding]] = {}
        self.calls: Dict[str, List[CallRecord]] = {}
        self.returns: List[Tuple[ast.Return, int, tuple]] = []
        self.reads: Dict[str, int] = {}  # name -> how often an expression here mentions it

    @property
    def is_module(self) -> bool:
        return self.parent is None

    def lookup(self, name: str) -> Optional["Scope"]:
        """The nearest scope binding ``name`` (class bodies are skipped, as Python does)."""
        scope = self
        while scope is not None:
            if name in scope.bindings and (scope is self or not isinstance(scope.node, ast.ClassDef)):
                return scope
            scope = scope.parent
        return None


class ModuleIndex:
    """Everything the rules look up, built by :func:`build_index`."""

    def __init__(self, tree):
        self.module = Scope(tree, None)
        self.scopes: List[Scope] = [self.module]
        self.attr_function_calls: List[CallRecord] = []  # calls of ``<x>.function``
        self.phase_setters: List[CallRecord] = []  # calls of ``...set_learning_phase``
        self.function_imports = set()  # local names of ``from ... import function``
        self.storage: Dict[int, tuple] = {}  # id(call) -> where its result is kept
        self.classes: Dict[int, ClassInfo] = {}  # id(ClassDef) -> info


def build_index(tree: ast.Module) -> ModuleIndex:
    index = ModuleIndex(tree)
    _Indexer(index).run(tree)
    return index


class _Indexer:
    def __init__(self, index: ModuleIndex):
        self.index = index
        self.scope = index.module
        self.blocks: Tuple[int, ...] = ()
        self.seq = 0
        self.block_ids = 0

    # -- helpers ---------------------------------------------------------

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _bind(self, name, kind, value, node):
        binding = Binding(self._next(), self.blocks, kind, value, self.scope, node)
        self.scope.bindings.setdefault(name, []).append(binding)

    def _bind_attr(self, attr, kind, value, node):
        binding = Binding(self._next(), self.blocks, kind, value, self.scope, node)
        self.scope.cls.attr_bindings.setdefault(attr, []).append(binding)

    def _self_attr(self, node) -> Optional[str]:
        """``attr`` when ``node`` is ``self.attr`` inside a method."""
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and self.scope.self_name is not None
            and node.value.id == self.scope.self_name
        ):
            return node.attr
        return None

    def _body(self, stmts, conditional):
        saved = self.blocks
        if conditional:
            self.block_ids += 1
            self.blocks = saved + (self.block_ids,)
        for stmt in stmts:
            self.stmt(stmt)
        self.blocks = saved

    def run(self, tree):
        for stmt in tree.body:
            self.stmt(stmt)

    # -- expressions -----------------------------------------------------

    def expr(self, node):
        if node is None:
            return
        stack = [node]
        calls = []
        reads = self.scope.reads
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind is ast.Name:
                reads[current.id] = reads.get(current.id, 0) + 1
                continue
            if kind is ast.Call:
                calls.append(current)
            elif kind is _NAMED_EXPR:
                self._bind(current.target.id, ASSIGN, current.value, current)
            for field in _child_fields(kind):
                value = getattr(current, field, None)
                if type(value) is list:
                    stack.extend(value)
                elif value is not None:
                    stack.append(value)
        # Record in source order so that "before" means what a reader expects.
        calls.sort(key=_position)
        for call in calls:
            self._call(call)

    def _call(self, call):
        record = CallRecord(call, self.scope, self._next(), self.blocks)
        func = call.func
        if isinstance(func, ast.Name):
            self.scope.calls.setdefault(func.id, []).append(record)
            if func.id == "set_learning_phase":
                self.index.phase_setters.append(record)
            return
        if not isinstance(func, ast.Attribute):
            return
        attr = func.attr
        if attr == "function":
            self.index.attr_function_calls.append(record)
        elif attr == "set_learning_phase":
            self.index.phase_setters.append(record)
        owner = self._self_attr(func)
        if owner is not None:
            self.scope.cls.attr_calls.setdefault(owner, []).append(record)
            return
        if attr in ("append", "insert", "extend") and call.args:
            kind = EXTEND if attr == "extend" else APPEND
            value = call.args[-1]
            target = func.value
            if isinstance(target, ast.Name):
                self._bind(target.id, kind, value, call)
            else:
                self_attr = self._self_attr(target)
                if self_attr is not None:
                    self._bind_attr(self_attr, kind, value, call)

    # -- statements ------------------------------------------------------

    def stmt(self, node):
        handler = getattr(self, "stmt_" + type(node).__name__, None)
        if handler is not None:
            handler(node)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def _target(self, target, value, node):
        if isinstance(target, ast.Name):
            self._bind(target.id, ASSIGN if value is not None else OPAQUE, value, node)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = None
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                values = value.elts
            for position, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    element = element.value
                    self._target(element, None, node)
                else:
                    self._target(element, values[position] if values else None, node)
        elif isinstance(target, ast.Attribute):
            self.expr(target.value)
            attr = self._self_attr(target)
            if attr is not None:
                self._bind_attr(attr, ASSIGN if value is not None else OPAQUE, value, node)
        else:
            self.expr(target)

    def _store(self, value, targets):
        """Remember where the result of a call is kept: the step's storage."""
        if not isinstance(value, ast.Call) or len(targets) != 1:
            return
        target = targets[0]
        if isinstance(target, ast.Name):
            self.index.storage[id(value)] = ("name", target.id, self.scope)
        else:
            attr = self._self_attr(target)
            if attr is not None:
                self.index.storage[id(value)] = ("attr", attr, self.scope)

    def stmt_Assign(self, node):
        self.expr(node.value)
        self._store(node.value, node.targets)
        for target in node.targets:
            self._target(target, node.value, node)

    def stmt_AnnAssign(self, node):
        self.expr(node.value)
        if node.value is not None:
            self._store(node.value, [node.target])
        self._target(node.target, node.value, node)

    def stmt_AugAssign(self, node):
        self.expr(node.value)
        kind = AUGMENT if isinstance(node.op, ast.Add) else OPAQUE
        target = node.target
        if isinstance(target, ast.Name):
            self._bind(target.id, kind, node.value, node)
        else:
            attr = self._self_attr(target)
            if attr is not None:
                self._bind_attr(attr, kind, node.value, node)
            else:
                self.expr(target)

    def stmt_Return(self, node):
        self.expr(node.value)
        if node.value is not None:
            if isinstance(node.value, ast.Call):
                self.index.storage[id(node.value)] = ("return", None, self.scope)
            self.scope.returns.append((node, self._next(), self.blocks))

    def stmt_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, IMPORT, alias.name, node)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, IMPORT, top, node)

    def stmt_ImportFrom(self, node):
        if node.level or not node.module:
            return  # relative imports never reach a Keras backend
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            self._bind(local, IMPORT, node.module + "." + alias.name, node)
            if alias.name == "function":
                self.index.function_imports.add(local)

    def _function(self, node):
        for decorator in node.decorator_list:
            self.expr(decorator)
        args = node.args
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self.expr(default)
        self._bind(node.name, DEF, node, node)
        parent = self.scope
        cls = None
        self_name = None
        params = list(getattr(args, "posonlyargs", [])) + list(args.args)
        if isinstance(parent.node, ast.ClassDef):
            cls = self.index.classes[id(parent.node)]
            cls.methods[node.name] = None  # filled below
            if params and not _is_static(node):
                self_name = params[0].arg
        scope = Scope(node, parent, cls, self_name)
        if cls is not None:
            cls.methods[node.name] = scope
        self.index.scopes.append(scope)
        saved_scope, saved_blocks = self.scope, self.blocks
        self.scope, self.blocks = scope, ()
        all_params = params + list(args.kwonlyargs)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                all_params.append(extra)
        for param in all_params:
            self._bind(param.arg, PARAM, None, param)
        for stmt in node.body:
            self.stmt(stmt)
        self.scope, self.blocks = saved_scope, saved_blocks

    stmt_FunctionDef = _function
    stmt_AsyncFunctionDef = _function

    def stmt_ClassDef(self, node):
        for expr in list(node.bases) + [k.value for k in node.keywords] + list(node.decorator_list):
            self.expr(expr)
        self._bind(node.name, OPAQUE, None, node)
        self.index.classes[id(node)] = ClassInfo(node)
        scope = Scope(node, self.scope)
        self.index.scopes.append(scope)
        saved_scope, saved_blocks = self.scope, self.blocks
        self.scope, self.blocks = scope, ()
        for stmt in node.body:
            self.stmt(stmt)
        self.scope, self.blocks = saved_scope, saved_blocks

    def stmt_If(self, node):
        self.expr(node.test)
        self._body(node.body, True)
        self._body(node.orelse, True)

    def stmt_While(self, node):
        self.expr(node.test)
        self._body(node.body, True)
        self._body(node.orelse, True)

    def _for(self, node):
        self.expr(node.iter)
        self._target(node.target, None, node)
        self._body(node.body, True)
        self._body(node.orelse, True)

    stmt_For = _for
    stmt_AsyncFor = _for

    def _with(self, node):
        for item in node.items:
            self.expr(item.context_expr)
            if item.optional_vars is not None:
                self._target(item.optional_vars, None, node)
        self._body(node.body, False)

    stmt_With = _with
    stmt_AsyncWith = _with

    def _try(self, node):
        self._body(node.body, True)
        for handler in node.handlers:
            self.expr(handler.type)
            if handler.name:
                self._bind(handler.name, OPAQUE, None, handler)
            self._body(handler.body, True)
        self._body(node.orelse, True)
        self._body(node.finalbody, False)

    stmt_Try = _try
    stmt_TryStar = _try

    def stmt_Match(self, node):
        self.expr(node.subject)
        for case in node.cases:
            self.expr(case.guard)
            self._body(case.body, True)


_NAMED_EXPR = getattr(ast, "NamedExpr", None)
# Fields that never hold a sub-expression worth visiting: contexts, operators, names.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "kind", "conversion", "is_async", "type_comment"})
_CONSTANTS = frozenset({"Constant", "Num", "Str", "Bytes", "NameConstant"})
_FIELDS_CACHE: Dict[type, Tuple[str, ...]] = {}


def _child_fields(kind: type) -> Tuple[str, ...]:
    """The fields of a class that can hold child nodes; none for non-nodes (cached per class).

    ``ast.iter_child_nodes`` costs a generator per node and yields every
    ``Load``/``Store`` context; this walk is the plugin's main cost (issue 6).
    """
    fields = _FIELDS_CACHE.get(kind)
    if fields is None:
        if not issubclass(kind, ast.AST) or kind.__name__ in _CONSTANTS:
            fields = ()
        else:
            fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
        _FIELDS_CACHE[kind] = fields
    return fields


def _position(node):
    return (node.lineno, node.col_offset)


def _is_static(node) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def dotted(node) -> Optional[str]:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def reaching(scope: Scope, name: str, seq: int, blocks: tuple) -> List[Binding]:
    """The bindings of ``name`` that may reach a use at ``seq`` in ``scope``.

    Walks back from the use: every augmentation counts, and so does every
    assignment up to and including the last one that surely ran (one in the
    use's own block or an enclosing one).  Conditional assignments before it
    are unioned: "on some path" is what the rules ask (issue 2).  A name the
    scope does not bind is looked up in the enclosing scopes, all of whose
    bindings have run by the time a function body executes.
    """
    owner = scope.lookup(name)
    if owner is None:
        return []
    if owner is not scope:
        seq, blocks = sys.maxsize, ()
    found = []
    for binding in reversed(owner.bindings[name]):
        if binding.seq >= seq:
            continue
        found.append(binding)
        if binding.kind not in AUGMENTING and blocks[: len(binding.blocks)] == binding.blocks:
            break
    found.reverse()
    return found
