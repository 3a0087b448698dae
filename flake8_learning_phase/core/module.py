"""The module model: one pass over the ``ast`` tree that rules ask questions of.

It records scopes with typed bindings (the pyflakes way), every call with the
scope, visit order, enclosing blocks and enclosing ``with`` items it stands
in, where results are kept, and what functions return.  It knows nothing of
Keras or learning phases: rules ask it "what reaches this name here?",
"which import path does this name stand for?" and "where is this called?".

It walks the ``ast`` tree flake8 already built: a libcst parse costs about
ten times ``ast.parse`` and libcst's scope metadata about ninety times.
"""
import ast
import sys
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from flake8_learning_phase.core.signatures import positional_parameters

_FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


# -- bindings ----------------------------------------------------------------


class Binding:
    """One event that binds or extends a name (or a ``self`` attribute).

    ``seq`` orders events in visit order; ``blocks`` names the conditional
    blocks (if/for/while/try/match bodies) it sits in; ``value`` is the bound
    expression where there is one.
    """

    __slots__ = ("seq", "blocks", "scope", "node", "value")
    augments = False  # True for kinds that add to the name instead of replacing it

    def __init__(self, seq, blocks, scope, node, value=None):
        self.seq = seq
        self.blocks = blocks
        self.scope = scope
        self.node = node
        self.value = value


class Assignment(Binding):
    """``name = value`` (also ``name: T = value``, ``(name := value)``, tuple targets)."""


class Augmentation(Binding):
    """``name += value``."""

    augments = True


class Append(Binding):
    """``name.append(value)`` / ``name.insert(i, value)``."""

    augments = True


class Extend(Binding):
    """``name.extend(value)``."""

    augments = True


class ItemAssignment(Binding):
    """``name[key] = value``: the container ``name`` (a dict or list) gains or replaces the item at
    ``key``, the subscript's index expression.  It binds no new name: the container keeps what
    its other bindings hold."""

    __slots__ = ("key",)
    augments = True

    def __init__(self, seq, blocks, scope, node, value, key):
        super().__init__(seq, blocks, scope, node, value)
        self.key = key


class Parameter(Binding):
    """A parameter of a function; ``node`` is the ``ast.arg``, ``value`` its default."""


class Import(Binding):
    """An import; ``qualified`` is the full path the local name stands for."""

    __slots__ = ("qualified",)

    def __init__(self, seq, blocks, scope, node, qualified):
        super().__init__(seq, blocks, scope, node)
        self.qualified = qualified


class FunctionDefinition(Binding):
    """``def name(...)``; ``node`` is the FunctionDef, ``body`` the scope of its body."""

    __slots__ = ("body",)

    def __init__(self, seq, blocks, scope, node, body):
        super().__init__(seq, blocks, scope, node)
        self.body = body


class ClassDefinition(Binding):
    """``class name(...)``; ``node`` is the ClassDef."""


class Unpacking(Binding):
    """``a, b = value``: element ``index`` of ``count`` of an iterable whose elements are not shown."""

    __slots__ = ("index", "count")

    def __init__(self, seq, blocks, scope, node, value, index, count):
        super().__init__(seq, blocks, scope, node, value)
        self.index = index
        self.count = count


class Element(Binding):
    """``for name in iterable``: one element of ``iterable`` (``zip`` and ``enumerate`` unwrapped).

    ``value`` stays None (the name is not the iterable); ``iterable`` is the expression iterated.
    """

    __slots__ = ("iterable",)

    def __init__(self, seq, blocks, scope, node, iterable):
        super().__init__(seq, blocks, scope, node)
        self.iterable = iterable


class Unknown(Binding):
    """A binding whose value cannot be seen: loop and with targets, unpacking, ``except as``."""


# -- what the pass records ---------------------------------------------------------


class WithItem(NamedTuple):
    """One ``with`` item enclosing a call: its context expression and ``as`` target."""

    context: ast.expr
    target: Optional[ast.expr]
    seq: int


class CallRecord(NamedTuple):
    """A call, with where it stands: scope, visit order, blocks and ``with`` items."""

    node: ast.Call
    scope: "Scope"
    seq: int
    blocks: tuple
    withs: Tuple[WithItem, ...]


class Kept(NamedTuple):
    """Where a value is kept: ``"name"`` / ``"attr"`` (``self.<name>``) / ``"return"``."""

    how: str
    name: Optional[str]
    scope: "Scope"


class ClassInfo:
    """A class body: its methods, and the ``self.<attr>`` bindings and calls of all of them."""

    __slots__ = ("node", "methods", "attr_bindings", "attr_calls", "attr_reads")

    def __init__(self, node):
        self.node = node
        self.methods: Dict[str, "Scope"] = {}
        self.attr_bindings: Dict[str, List[Binding]] = {}
        self.attr_calls: Dict[str, List[CallRecord]] = {}
        self.attr_reads: Dict[str, int] = {}  # attr -> how often a method reads ``self.attr``


class Scope:
    """A module, function or class body: its bindings, calls of names, returns, reads."""

    __slots__ = ("node", "parent", "cls", "self_name", "bindings", "calls", "returns", "reads", "external")

    def __init__(self, node, parent, cls=None, self_name=None):
        # On the module scope: a function naming what a name bound only through the
        # project (star or relative imports) stands for; set by whoever knows the file.
        self.external = None
        self.node = node
        self.parent = parent
        self.cls = cls  # ClassInfo when this is a method
        self.self_name = self_name  # first parameter of a method
        self.bindings: Dict[str, List[Binding]] = {}
        self.calls: Dict[str, List[CallRecord]] = {}  # calls of a plain name, by name
        self.returns: List[Tuple[ast.Return, int, tuple]] = []
        self.reads: Dict[str, int] = {}  # name -> how often an expression here mentions it

    @property
    def is_module(self) -> bool:
        return self.parent is None

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, _FUNCTION_DEFS)

    def lookup(self, name: str) -> Optional["Scope"]:
        """The nearest scope binding ``name`` (class bodies are skipped, as Python does)."""
        scope = self
        while scope is not None:
            if name in scope.bindings and (scope is self or not isinstance(scope.node, ast.ClassDef)):
                return scope
            scope = scope.parent
        return None


class RelativeImport(NamedTuple):
    """``from <level dots><module> import <name>``."""

    level: int
    module: str
    name: str


class StarImport(NamedTuple):
    """``from <level dots><module> import *`` (level 0: absolute)."""

    level: int
    module: str


class ModuleModel:
    """Everything rules look up, built by :func:`build`."""

    def __init__(self, tree):
        self.tree = tree
        self.module = Scope(tree, None)
        self.scopes: List[Scope] = [self.module]
        self.attribute_calls: Dict[str, List[CallRecord]] = {}  # calls of ``<x>.attr``, by attr
        self.subscript_calls: List[CallRecord] = []  # calls of ``<x>[i]`` (a model in a list)
        self.kept: Dict[int, Kept] = {}  # id(value expression) -> where it is kept
        self.classes: Dict[int, ClassInfo] = {}  # id(ClassDef) -> info
        self.function_scopes: Dict[int, Scope] = {}  # id(FunctionDef) -> its scope
        self.imported_as: Dict[str, Set[str]] = {}  # last part of an imported path -> local names
        # resolved by whoever knows the file's place (core/project.py), recorded in the one pass:
        self.relative: Dict[str, RelativeImport] = {}  # local name -> ``from .m import n``
        self.stars: List[StarImport] = []  # every ``from m import *``
        # id(Name read inside a comprehension) -> what its ``for`` iterates, when the name is
        # the comprehension's own variable (``m`` in ``[m(x) for m in models]``), which Python
        # keeps apart from a name of the scope around it
        self.comprehension_elements: Dict[int, ast.expr] = {}
        # block id -> (the ``if`` test, whether the block runs when the test is true): a
        # builder's ``if use_bn:`` block is dead where ``use_bn`` is False
        self.conditions: Dict[int, Tuple[ast.expr, bool]] = {}

    def calls_of(self, name: str) -> List[CallRecord]:
        """Calls that may reach something called ``name``, in visit order.

        Those whose callee is ``name`` or ends in ``.name``, and calls of a
        local name imported as ``name`` (``from m import name as other``).
        """
        found = list(self.attribute_calls.get(name, ()))
        names = {name} | self.imported_as.get(name, set())
        for scope in self.scopes:
            for local in names.intersection(scope.calls):
                found.extend(scope.calls[local])
        found.sort(key=lambda record: record.seq)
        return found


def build(tree: ast.Module) -> ModuleModel:
    model = ModuleModel(tree)
    _Builder(model).run(tree)
    return model


# -- questions ---------------------------------------------------------------------


def is_self_attribute(node, scope: "Scope") -> bool:
    """``self.<attr>`` read in a method of a class (``self`` as the method names it)."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
        and scope.self_name is not None and node.value.id == scope.self_name and scope.cls is not None


def class_attribute_bindings(model: ModuleModel, cls: ClassInfo, attr: str) -> List[Binding]:
    """The bindings of ``self.<attr>`` a method of ``cls`` may read: its class's, and those of the
    classes of this module that derive from it (a base's ``sess.run(self.train_op)`` runs the
    train op a subclass builds); when neither binds it, those of its bases in this module.
    Classes are related by the names of their bases (``class Wide(Runner)``)."""
    found = list(cls.attr_bindings.get(attr, ()))
    for other in _related_classes(model, cls, _derives_from):
        found.extend(other.attr_bindings.get(attr, ()))
    if not found:
        for base in _related_classes(model, cls, lambda sub, base: _derives_from(base, sub)):
            found.extend(base.attr_bindings.get(attr, ()))
    return found


def _related_classes(model: ModuleModel, cls: ClassInfo, related) -> List[ClassInfo]:
    """The classes of the module ``related(other, cls)`` holds for, following it a few levels."""
    found: List[ClassInfo] = []
    frontier = [cls]
    for _ in range(3):
        frontier = [other for other in model.classes.values() if other not in found and other is not cls
                    and any(related(other, known) for known in frontier)]
        if not frontier:
            break
        found.extend(frontier)
    return found


def _derives_from(sub: ClassInfo, base: ClassInfo) -> bool:
    return any(isinstance(b, ast.Name) and b.id == base.node.name for b in sub.node.bases)


def reaching(scope: Scope, name: str, seq: int, blocks: tuple) -> List[Binding]:
    """The bindings of ``name`` that may reach a use at ``seq`` in ``scope``.

    Walks back from the use: every augmentation counts, and so does every
    assignment up to and including the last one that surely ran (one in the
    use's own block or an enclosing one).  Conditional assignments before it
    are unioned: rules ask what holds "on some path".  A name the scope does
    not bind is looked up in the enclosing scopes, all of whose bindings
    have run by the time a function body executes.
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
        if not binding.augments and blocks[: len(binding.blocks)] == binding.blocks:
            break
    found.reverse()
    return found


def unpacked(binding: Unpacking) -> List[Tuple[ast.expr, Scope, int, tuple]]:
    """What ``a, b = f(...)`` binds ``a`` to, when ``f`` is defined here and returns tuples
    (also ``a, b = pair`` after ``pair = f(...)``, its one binding).

    One ``(element, scope, seq, blocks)`` per ``return`` of ``f``; empty when
    ``f`` is not seen or some return is not a tuple display of the right length.
    """
    call, at = binding.value, binding
    if isinstance(call, ast.Name):
        held = [b for b in reaching(binding.scope, call.id, binding.seq, binding.blocks) if not b.augments]
        if len(held) == 1 and isinstance(held[0], Assignment):
            call, at = held[0].value, held[0]
    if not isinstance(call, ast.Call):
        return []
    body = None
    func = call.func
    if isinstance(func, ast.Name):
        found = [b for b in reaching(at.scope, func.id, at.seq, at.blocks) if not b.augments]
        if len(found) == 1 and isinstance(found[0], FunctionDefinition):
            body = found[0].body
    elif (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and at.scope.cls is not None
        and func.value.id == at.scope.self_name
    ):
        body = at.scope.cls.methods.get(func.attr)
    if body is None or not body.returns:
        return []
    elements = []
    for ret, seq, blocks in body.returns:
        value = ret.value
        if not isinstance(value, (ast.Tuple, ast.List)) or len(value.elts) != binding.count:
            return []
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return []
        elements.append((value.elts[binding.index], body, seq, blocks))
    return elements


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


_MAX_ALIAS_DEPTH = 5


def qualified_name(node: ast.expr, scope: Scope, seq: int = sys.maxsize, blocks: tuple = (), depth: int = 0):
    """The import path ``node`` stands for where it is used (``K.function`` -> ``keras.backend.function``).

    The name is resolved by the bindings that reach the use; None unless they
    all agree on one import (or an alias assigned from one: ``K = tf.keras.backend``).
    """
    text = dotted(node)
    if text is None or depth > _MAX_ALIAS_DEPTH:
        return None
    root, dot, rest = text.partition(".")
    if scope.lookup(root) is None:
        module = scope
        while module.parent is not None:
            module = module.parent
        base = module.external(root) if module.external is not None else None
        return None if base is None else base + dot + rest
    bindings = [b for b in reaching(scope, root, seq, blocks) if not b.augments]
    bases = set()
    for binding in bindings:
        if isinstance(binding, Import):
            bases.add(binding.qualified)
        elif isinstance(binding, Assignment) and dotted(binding.value) is not None:
            bases.add(qualified_name(binding.value, binding.scope, binding.seq, binding.blocks, depth + 1))
        else:
            return None
    if len(bases) != 1:
        return None
    base = bases.pop()
    return None if base is None else base + dot + rest


def call_name(record: CallRecord) -> Optional[str]:
    """The import path of the callee where the call stands, or None."""
    return qualified_name(record.node.func, record.scope, record.seq, record.blocks)


# -- the pass ----------------------------------------------------------------------


class _Builder:
    def __init__(self, model: ModuleModel):
        self.model = model
        self.scope = model.module
        self.blocks: Tuple[int, ...] = ()
        self.withs: Tuple[WithItem, ...] = ()
        self.seq = 0
        self.block_ids = 0

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _bind(self, name, kind, node, *fields):
        """Bind ``name`` here to a ``kind`` made of ``node`` and the kind's own ``fields``
        (the bound value first, where the kind has one)."""
        binding = kind(self._next(), self.blocks, self.scope, node, *fields)
        self.scope.bindings.setdefault(name, []).append(binding)
        return binding

    def _bind_change(self, target, kind, node, *fields) -> Optional[Binding]:
        """Record an in-place change (an append, an item set) of the container ``target``, a name
        or a ``self`` attribute.  A name is changed where it is bound: ``models.append(m)`` in a
        function makes no local ``models`` (Python would not), so a name no scope binds yet is left."""
        if isinstance(target, ast.Name):
            owner = self.scope.lookup(target.id)
            if owner is None:
                return None
            blocks = self.blocks
            if owner is not self.scope:  # it runs when the function is called, if ever
                self.block_ids += 1
                blocks = (self.block_ids,)
            binding = kind(self._next(), blocks, owner, node, *fields)
            owner.bindings[target.id].append(binding)
            return binding
        attr = self._self_attr(target)
        return self._bind_attr(attr, kind, node, *fields) if attr is not None else None

    def _bind_attr(self, attr, kind, node, *fields):
        binding = kind(self._next(), self.blocks, self.scope, node, *fields)
        self.scope.cls.attr_bindings.setdefault(attr, []).append(binding)
        return binding

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

    def _body(self, stmts, conditional, condition=None):
        saved = self.blocks
        if conditional:
            self.block_ids += 1
            self.blocks = saved + (self.block_ids,)
            if condition is not None:
                self.model.conditions[self.block_ids] = condition
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
        self_name = self.scope.self_name
        attr_reads = self.scope.cls.attr_reads if self_name is not None else None
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind is ast.Name:
                reads[current.id] = reads.get(current.id, 0) + 1
                continue
            if kind is ast.Attribute and attr_reads is not None:
                owner = current.value
                if type(owner) is ast.Name and owner.id == self_name and type(current.ctx) is ast.Load:
                    attr_reads[current.attr] = attr_reads.get(current.attr, 0) + 1
            elif kind is ast.Call:
                calls.append(current)
            elif kind is _NAMED_EXPR:
                self._bind(current.target.id, Assignment, current, current.value)
            elif kind in _COMPREHENSIONS:
                self._comprehension(current)
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

    def _comprehension(self, node):
        """Maps the reads of the comprehension's own ``for`` variables (a plain name each) to
        what they iterate, also inside a comprehension nested in it that does not bind the name
        again (that one maps its own)."""
        elements = self.model.comprehension_elements
        loops: Dict[str, ast.expr] = {}
        parts: List[ast.AST] = []
        for generator in node.generators:
            parts.append(generator.iter)  # reads the variables of the ``for``s before it
            if isinstance(generator.target, ast.Name):
                loops[generator.target.id] = generator.iter
            parts.extend(generator.ifs)
        parts.extend([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])
        # the first iterable is read in the scope around the comprehension
        stack = [(part, loops) for part in parts[1:]]
        while stack:
            current, names = stack.pop()
            kind = type(current)
            if kind is ast.Name:
                if current.id in names:
                    elements[id(current)] = names[current.id]
                continue
            if kind in _COMPREHENSIONS:
                rebound = {t.id for g in current.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)}
                names = {name: it for name, it in names.items() if name not in rebound}
            stack.extend((child, names) for child in ast.iter_child_nodes(current))

    def _call(self, call):
        record = CallRecord(call, self.scope, self._next(), self.blocks, self.withs)
        func = call.func
        if isinstance(func, ast.Name):
            self.scope.calls.setdefault(func.id, []).append(record)
            return
        if isinstance(func, ast.Subscript):
            self.model.subscript_calls.append(record)
            return
        if not isinstance(func, ast.Attribute):
            return
        attr = func.attr
        self.model.attribute_calls.setdefault(attr, []).append(record)
        owner = self._self_attr(func)
        if owner is not None:
            self.scope.cls.attr_calls.setdefault(owner, []).append(record)
            return
        if attr in ("append", "insert", "extend") and call.args:
            self._bind_change(func.value, Extend if attr == "extend" else Append, call, call.args[-1])

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
            self._bind(target.id, Assignment if value is not None else Unknown, node, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = None
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                values = value.elts
            starred = any(isinstance(element, ast.Starred) for element in target.elts)
            for position, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self._target(element.value, None, node)
                elif values is None and value is not None and not starred and isinstance(element, ast.Name):
                    self._bind(element.id, Unpacking, node, value, position, len(target.elts))
                elif values is None and value is not None and not starred and self._self_attr(element):
                    self._bind_attr(self._self_attr(element), Unpacking, node, value, position, len(target.elts))
                else:
                    self._target(element, values[position] if values else None, node)
        elif isinstance(target, ast.Attribute):
            self.expr(target.value)
            attr = self._self_attr(target)
            if attr is not None:
                self._bind_attr(attr, Assignment if value is not None else Unknown, node, value)
        elif isinstance(target, ast.Subscript) and value is not None:
            self.expr(target)
            self._bind_change(target.value, ItemAssignment, node, value, subscript_index(target))
        else:
            self.expr(target)

    def _loop_target(self, target, iterable, node):
        """``for m in models``, ``for m, o in zip(models, opts)``, ``for i, m in enumerate(models)``."""
        if isinstance(target, ast.Name):
            self._bind(target.id, Element, node, iterable)
            return
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(iterable, ast.Call) \
                and isinstance(iterable.func, ast.Name) and not iterable.keywords \
                and not any(isinstance(a, ast.Starred) for a in iterable.args):
            if iterable.func.id == "zip" and len(iterable.args) == len(target.elts):
                for element, source in zip(target.elts, iterable.args):
                    self._loop_target(element, source, node)
                return
            if iterable.func.id == "enumerate" and len(target.elts) == 2 and iterable.args:
                self._target(target.elts[0], None, node)
                self._loop_target(target.elts[1], iterable.args[0], node)
                return
        self._target(target, None, node)

    def _keep(self, value, targets):
        """Remember where a call's result is kept."""
        if not isinstance(value, ast.Call) or len(targets) != 1:
            return
        target = targets[0]
        if isinstance(target, ast.Name):
            self.model.kept[id(value)] = Kept("name", target.id, self.scope)
        else:
            attr = self._self_attr(target)
            if attr is not None:
                self.model.kept[id(value)] = Kept("attr", attr, self.scope)

    def stmt_Assign(self, node):
        self.expr(node.value)
        self._keep(node.value, node.targets)
        for target in node.targets:
            self._target(target, node.value, node)

    def stmt_AnnAssign(self, node):
        self.expr(node.value)
        if node.value is not None:
            self._keep(node.value, [node.target])
        self._target(node.target, node.value, node)

    def stmt_AugAssign(self, node):
        self.expr(node.value)
        kind = Augmentation if isinstance(node.op, ast.Add) else Unknown
        target = node.target
        if isinstance(target, ast.Name):
            self._bind(target.id, kind, node, node.value)
        else:
            attr = self._self_attr(target)
            if attr is not None:
                self._bind_attr(attr, kind, node, node.value)
            else:
                self.expr(target)

    def stmt_Return(self, node):
        self.expr(node.value)
        if node.value is not None:
            if isinstance(node.value, ast.Call):
                self.model.kept[id(node.value)] = Kept("return", None, self.scope)
            self.scope.returns.append((node, self._next(), self.blocks))

    def _import(self, local, qualified, node):
        binding = Import(self._next(), self.blocks, self.scope, node, qualified)
        self.scope.bindings.setdefault(local, []).append(binding)
        self.model.imported_as.setdefault(qualified.rpartition(".")[2], set()).add(local)

    def stmt_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self._import(alias.asname, alias.name, node)
            else:
                top = alias.name.split(".")[0]
                self._import(top, top, node)

    def stmt_ImportFrom(self, node):
        if any(alias.name == "*" for alias in node.names):
            self.model.stars.append(StarImport(node.level or 0, node.module or ""))
        elif node.level:
            for alias in node.names:
                self.model.relative[alias.asname or alias.name] = RelativeImport(node.level, node.module or "",
                                                                                 alias.name)
        if node.level or not node.module:
            return  # relative imports are resolved by whoever knows the file's place
        for alias in node.names:
            if alias.name != "*":
                self._import(alias.asname or alias.name, node.module + "." + alias.name, node)

    def _function(self, node):
        for decorator in node.decorator_list:
            self.expr(decorator)
        args = node.args
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self.expr(default)
        parent = self.scope
        cls = None
        self_name = None
        params = positional_parameters(args)
        if isinstance(parent.node, ast.ClassDef):
            cls = self.model.classes[id(parent.node)]
            if params and not _is_static(node):
                self_name = params[0].arg
        scope = Scope(node, parent, cls, self_name)
        self._bind(node.name, FunctionDefinition, node, scope)
        if cls is not None:
            cls.methods[node.name] = scope
        self.model.scopes.append(scope)
        self.model.function_scopes[id(node)] = scope
        saved = self.scope, self.blocks, self.withs
        self.scope, self.blocks, self.withs = scope, (), ()
        all_params = params + list(args.kwonlyargs)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                all_params.append(extra)
        positional = params
        defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
        defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
        for param in all_params:
            self._bind(param.arg, Parameter, param, defaults.get(param.arg))
        for stmt in node.body:
            self.stmt(stmt)
        self.scope, self.blocks, self.withs = saved

    stmt_FunctionDef = _function
    stmt_AsyncFunctionDef = _function

    def stmt_ClassDef(self, node):
        for expr in list(node.bases) + [k.value for k in node.keywords] + list(node.decorator_list):
            self.expr(expr)
        self._bind(node.name, ClassDefinition, node)
        self.model.classes[id(node)] = ClassInfo(node)
        scope = Scope(node, self.scope)
        self.model.scopes.append(scope)
        saved = self.scope, self.blocks, self.withs
        self.scope, self.blocks, self.withs = scope, (), ()
        for stmt in node.body:
            self.stmt(stmt)
        self.scope, self.blocks, self.withs = saved

    def stmt_If(self, node):
        self.expr(node.test)
        if _always_true(node.test):  # ``if True:`` (a notebook cell that starts indented is one)
            self._body(node.body, False)
        else:
            self._body(node.body, True, (node.test, True))
        self._body(node.orelse, True, (node.test, False))

    def stmt_While(self, node):
        self.expr(node.test)
        self._body(node.body, True)
        self._body(node.orelse, True)

    def _for(self, node):
        self.expr(node.iter)
        self._loop_target(node.target, node.iter, node)
        self._body(node.body, True)
        self._body(node.orelse, True)

    stmt_For = _for
    stmt_AsyncFor = _for

    def _with(self, node):
        saved = self.withs
        for item in node.items:
            self.expr(item.context_expr)
            if item.optional_vars is not None:
                self._target(item.optional_vars, None, node)
            self.withs = self.withs + (WithItem(item.context_expr, item.optional_vars, self._next()),)
        self._body(node.body, False)
        self.withs = saved

    stmt_With = _with
    stmt_AsyncWith = _with

    def _try(self, node):
        self._body(node.body, True)
        for handler in node.handlers:
            self.expr(handler.type)
            if handler.name:
                self._bind(handler.name, Unknown, handler)
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


def _always_true(test: ast.expr) -> bool:
    """The literal ``True`` (``Constant``; ``NameConstant`` on Python 3.7)."""
    return type(test).__name__ in ("Constant", "NameConstant") and getattr(test, "value", None) is True


_NAMED_EXPR = getattr(ast, "NamedExpr", None)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
# Fields that never hold a sub-expression worth visiting: contexts, operators, names.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "kind", "conversion", "is_async", "type_comment"})
_CONSTANTS = frozenset({"Constant", "Num", "Str", "Bytes", "NameConstant"})
_FIELDS_CACHE: Dict[type, Tuple[str, ...]] = {}


def _child_fields(kind: type) -> Tuple[str, ...]:
    """The fields of a class that can hold child nodes; none for non-nodes (cached per class).

    ``ast.iter_child_nodes`` costs a generator per node and yields every
    ``Load``/``Store`` context; this walk is the plugin's main cost (see
    docs/performance.md).
    """
    fields = _FIELDS_CACHE.get(kind)
    if fields is None:
        if not issubclass(kind, ast.AST) or kind.__name__ in _CONSTANTS:
            fields = ()
        else:
            fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
        _FIELDS_CACHE[kind] = fields
    return fields


def subscript_index(node: ast.Subscript) -> ast.expr:
    """What a subscript indexes with (Python 3.8 and older wrap it in ``ast.Index``)."""
    index = node.slice
    return index.value if type(index).__name__ == "Index" else index


def _position(node):
    return (node.lineno, node.col_offset)


def _is_static(node) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
