"""What an expression stands for: the value-flow evaluator every family asks.

Rule- and library-neutral.  Given an expression and the :class:`Frame` it is
evaluated in, :meth:`Evaluator.values` answers with the values of
:mod:`.values` it may stand for, one per possibility, following:

- names to the bindings that reach them (assignments, imports, defs and
  classes, ``for`` elements, tuple unpacking), module names read in a function
  to the bindings that reach its calls;
- ``self`` attributes to their assignments in the class (and constructor
  keywords after ``self.__dict__.update(kwargs)``), attributes of modules,
  classes and instances of the project;
- lists, tuples, comprehensions and subscripts to their elements, appends and
  extends; calls of project functions to what they return, with the arguments
  of that call bound to the parameters;
- parameters to what the visible calls pass (:meth:`Evaluator.invocations`:
  this module's calls, the project's modules that import it, and functions
  handed to another function as a value), or their default;
- across the project's own modules (:mod:`.project`: absolute, relative and
  star imports, resolved from the analyzed file's location).

One question, one answer: "who calls this function" is
:meth:`Evaluator.invocations` for every family.  A library package (Keras:
:mod:`flake8_learning_phase.keras.models`) subclasses the evaluator and says
what its own names make through the hooks (:meth:`Evaluator.library_call` and
the few next to it); by default a library call is unseen.

Cost is bounded by the files, not by the callers: one evaluation spends at
most a budget of steps and recursion depth (:class:`OutOfBudget` past it), and
the calls of a function are read from at most :data:`MAX_CALLER_MODULES`
other modules (past that the parameter also counts as unseen).
"""
import ast
import itertools
import os
import sys
from typing import Dict, List, NamedTuple, Optional, Tuple

from flake8_learning_phase.core import project
from flake8_learning_phase.core.module import (
    Append,
    Assignment,
    Augmentation,
    ClassDefinition,
    Element,
    Extend,
    FunctionDefinition,
    Import,
    ItemAssignment,
    Parameter,
    Scope,
    Unpacking,
    class_attribute_bindings,
    is_self_attribute,
    reaching,
    subscript_index,
    unpacked,
)
from flake8_learning_phase.core.returns import compared_truth, reachable_returns
from flake8_learning_phase.core.signatures import can_bind, parameter_names
from flake8_learning_phase.core.values import (
    NONE_VALUE,
    UNSEEN_VALUE,
    ClassRef,
    Construction,
    Foreign,
    Frame,
    FunctionRef,
    Instance,
    LambdaRef,
    LibRef,
    Literal,
    ModuleRef,
    Partial,
    Value,
)

MAX_DEPTH = 12
BUDGET = 4000
# The other modules whose calls of a function are followed for its parameters (its own module's
# calls are all followed): past this many, cost would grow with the callers, so the rest are not
# read and the parameter counts as unseen (a value found in the calls followed still counts).
# Modules are taken in a stable order: the project's files by path.
MAX_CALLER_MODULES = 4
_MAX_METHOD_CALLS = 50


# Operators whose result is a number, array or tensor (``+`` also joins lists; ``[layer] * 3``
# repeats a list display, kept apart where it is used).
_ARITHMETIC = (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)
# What arithmetic makes: no layer or model.
_ARITHMETIC_RESULT = Foreign("arithmetic")
#: A subscript's key that is not a constant (``models[name]``).
_NO_KEY = object()
# Hops (a name, a parameter, an attribute, a return) from a subscript to the displays it picks
# from: ``Pair(self.nets[0])`` in a class built with a module list grown by appends takes 5.
_MAX_PICK_DEPTH = 8
# Hops (a name, a parameter, a ``self`` attribute) from ``params["use_bn"]`` to the dict display
# it picks from: ``self.params = params`` in a class that ``Agent`` builds with its own
# ``self.params``, which a script's dict fills, takes 5.
_MAX_ITEM_DEPTH = 6


class OutOfBudget(Exception):
    """One question spent more than :data:`BUDGET` steps: its answer is unseen."""


class ValueUses(NamedTuple):
    """A module's names as values: ``aliases[name]`` the names assigned from it (``agent_class =
    DQN``), ``handed[name]`` the ``(call record, position or keyword)`` where it is passed on."""

    aliases: Dict[str, set]
    handed: Dict[str, list]


class Invocation(NamedTuple):
    """A visible call of a function: the call, the frame of its arguments, and whether it is
    made on an instance (``self.f(...)``, ``obj.f(...)``: the first parameter is bound)."""

    call: ast.Call
    frame: Frame
    bound: bool


class PassedArguments(NamedTuple):
    """``(expression, frame)`` for each argument the visible calls pass for a parameter;
    ``complete`` is False when some call does not pass it or the callers are not all seen."""

    sources: list
    complete: bool


class Arguments(dict):
    """Parameter name -> [(argument expression, frame)] for one call of a function, and what a
    ``*args`` and ``**kwargs`` at the call unpack (they may hold the parameters not named)."""

    __slots__ = ("unpacked", "forwarded")

    def __init__(self, named=()):
        super().__init__(named)
        self.unpacked: List[tuple] = []  # [(expression, frame)] of a ``*args``
        self.forwarded: List[tuple] = []  # [(expression, frame)] of each ``**kwargs``


def known_arguments(frame: Frame, scope: Scope) -> Optional[Arguments]:
    """The arguments bound to ``scope``'s parameters in ``frame`` (a call being followed into
    it); None when ``scope`` is not such a call."""
    for key, mapping in frame.envs:
        if key == id(scope):
            return mapping
    return None


class Evaluator:
    """Evaluation state for one analyzed module (memoised; shared through the rule context)."""

    def __init__(self, model, path: Optional[str], text: str = ""):
        self.root = project.ModuleInfo(path, model, text)
        self.memo: Dict[tuple, List[Value]] = {}
        self.budget = 0
        self.depth = 0
        self._calls: Dict[int, list] = {}
        self._alive: Dict[int, tuple] = {}
        self._indexes: Dict[str, project.ProjectIndex] = {}  # brought up to date for this analysis
        self._invoked: Dict[tuple, List[Invocation]] = {}  # invocations() by (function, module, depth)
        self._cut: set = set()  # id() of the functions called from more than MAX_CALLER_MODULES modules
        self._imported: Dict[tuple, object] = {}  # project.resolve_absolute by (module, import path)
        self._test_modules: Dict[int, bool] = {}  # project.is_test_or_example by module
        self._partials: Dict[tuple, ast.Call] = {}  # the call a partial's call makes, by both calls
        self._fallbacks: Dict[tuple, bool] = {}  # (id(def), parameter) -> the def replaces it when None
        self._unreached: Dict[int, bool] = {}  # id(def) -> no visible call reaches it
        self._mentions: Dict[tuple, int] = {}  # (id(module), name) -> how often its scopes read the name
        self._uses: Dict[int, ValueUses] = {}  # value_uses() by module

    # -- what a library's names make (a library package overrides these) -------------

    def library_call(self, callee: LibRef, call: ast.Call, frame: Frame) -> List[Value]:
        """What calling the library name ``callee`` makes."""
        return [UNSEEN_VALUE]

    def same_object(self, call: ast.Call, frame: Frame) -> Optional[List[Value]]:
        """What ``call`` stands for when it returns the object it is called on; None otherwise."""
        return None

    def library_owned(self, qualified: str) -> bool:
        """An import the project never resolves into, even when the tree holds the library."""
        return False

    def runs_handed_function(self, call: ast.Call) -> bool:
        """``call`` runs the function handed to it there and then (a library's runner)."""
        return False

    def star_import_values(self, module: str, name: str) -> Optional[List[Value]]:
        """``name`` read after ``from module import *`` of a library module: what it stands for,
        [] when the module does not define it; None when ``module`` is not the library's."""
        return None

    def inherited_member(self, cdef: ast.ClassDef, mod: project.ModuleInfo, attr: str) -> List[Value]:
        """An attribute a project class defines nowhere in the project (a library base's)."""
        return [UNSEEN_VALUE]

    def unpassed_parameter(self, fdef, mod: project.ModuleInfo) -> List[Value]:
        """What a parameter no visible call passes may stand for; [] when nothing can be said."""
        return []

    # -- what an expression stands for -----------------------------------------------

    def values_at(self, node: ast.expr, frame: Frame) -> List[Value]:
        """What ``node`` may stand for in ``frame`` (a fresh budget); [] when it cannot be told."""
        return self._asked(lambda: self.values(node, frame))

    def returns_at(self, call: ast.Call, frame: Frame) -> list:
        """``(expression, frame)`` for every ``return`` of the project functions ``call`` calls in
        ``frame`` (a fresh budget); [] when a callee is not such a function or it cannot be told."""
        return self._asked(lambda: self.returned(call, frame) or [])

    def calls_in_root(self, scope: Scope) -> List[Invocation]:
        """The visible calls, made in the analyzed module, of the function whose body is ``scope``
        (defined in that module); a fresh budget, and [] when it cannot be told."""
        # the project's other modules are not read for it: their calls would be dropped here
        return self._asked(lambda: self.invocations(scope.node, self.root, scope, local=True))

    def _asked(self, question) -> list:
        """``question()`` answered within a fresh budget; [] past it."""
        self.budget = BUDGET
        try:
            return question()
        except (RecursionError, OutOfBudget):
            self.memo.clear()  # half-computed entries must not answer later questions
            return []

    def _same(self, mod: Optional[project.ModuleInfo]) -> Optional[project.ModuleInfo]:
        """The analyzed module itself when another module's import leads back to its file."""
        if mod is not None and mod.path is not None and self.root.path is not None \
                and os.path.abspath(mod.path) == os.path.abspath(self.root.path):
            return self.root
        return mod

    def spend(self):
        self.budget -= 1
        if self.budget < 0:
            raise OutOfBudget()

    def values(self, node, frame: Frame) -> List[Value]:
        if node is None:
            return [UNSEEN_VALUE]
        if frame.envs:
            self._alive[id(frame.envs)] = frame.envs  # keeps ids in memo keys unique
        key = (id(node), id(frame.scope), frame.seq, frame.envs and id(frame.envs))
        if key in self.memo:
            return self.memo[key]
        if self.depth > MAX_DEPTH:
            return [UNSEEN_VALUE]
        self.spend()
        self.memo[key] = []  # a cycle contributes nothing
        self.depth += 1
        try:
            found = self._values(node, frame)
        finally:
            self.depth -= 1
        self.memo[key] = found
        return found

    def _values(self, node, frame: Frame) -> List[Value]:
        if isinstance(node, ast.Name):
            iterated = frame.mod.model.comprehension_elements.get(id(node))
            if iterated is not None:  # ``m`` in ``[m(x) for m in models]``: one of the elements
                return self.elements(iterated, frame, 0) or [UNSEEN_VALUE]
            return self.name_values(node.id, frame)
        if isinstance(node, ast.Attribute):
            return self.attribute_values(node, frame)
        if isinstance(node, ast.Call):
            return self.call_values(node, frame)
        if isinstance(node, ast.IfExp):
            return self.values(node.body, frame) + self.values(node.orelse, frame)
        if isinstance(node, ast.BoolOp):  # ``net or Default``: one of its operands
            return [v for operand in node.values for v in self.values(operand, frame)]
        if _is_none(node):
            return [NONE_VALUE]
        if _is_literal(node):  # ``self.units = [64, 32]``: a number or a string is no layer
            try:
                return [Literal(ast.literal_eval(node))]
            except ValueError:  # an f-string
                return [Literal(None)]
        if isinstance(node, ast.Lambda):
            return [LambdaRef(node, frame)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC) \
                and not any(isinstance(side, (ast.List, ast.Tuple)) for side in (node.left, node.right)):
            return [_ARITHMETIC_RESULT]  # ``(classes + 4) * n``: a number, array or tensor, no layer
        if isinstance(node, ast.Subscript):
            index = subscript_index(node)
            if isinstance(index, (ast.Slice, ast.Tuple)) or type(index).__name__ == "ExtSlice":
                return [UNSEEN_VALUE]  # ``models[1:]`` is a list, ``x[:, 0]`` an array
            # ``critics[i]``, ``models["gen"]``: the element the constant key picks, else any one
            key = _literal(index)
            if key is _NO_KEY and isinstance(index, ast.Name):
                # ``{"batch": BatchNormalization, None: None}[norm]`` with ``norm`` a parameter
                # every call leaves at None: the items its constant values pick
                keys = self._constant_keys(index, frame)
                if keys is not None:
                    return [v for k in keys for v in self.item(node.value, k, frame, 0)] or [UNSEEN_VALUE]
            return self.item(node.value, key, frame, 0) or [UNSEEN_VALUE]
        return [UNSEEN_VALUE]

    def _constant_keys(self, index: ast.Name, frame: Frame) -> Optional[list]:
        """The constants a name used as a key may hold (None for ``None``); None when it may hold
        anything else."""
        keys = []
        for value in self.values(index, frame):
            if value == NONE_VALUE:
                keys.append(None)
            elif isinstance(value, Literal) and value.value is not None:
                keys.append(value.value)
            else:
                return None
        return keys or None

    def name_values(self, name: str, frame: Frame) -> List[Value]:
        scope = frame.scope
        owner = scope.lookup(name)
        if owner is not None and owner.self_name == name and owner.cls is not None:
            # ``self`` of the method, also read in a function nested in it (a step closure)
            return [Instance(owner.cls.node, frame.mod, None)]
        bindings = [b for b in self._reaching(scope, name, frame) if not b.augments]
        if not bindings:
            return self._unbound(name, frame.mod)
        found: List[Value] = []
        for binding in self.live(bindings, frame):
            if isinstance(binding, Assignment):
                where = Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)
                found.extend(self.values(binding.value, where))
            elif isinstance(binding, Parameter):
                found.extend(self.parameter_values(binding, frame))
            elif isinstance(binding, Import):
                found.extend(self.import_values(binding.qualified, frame.mod))
            elif isinstance(binding, FunctionDefinition):
                found.append(FunctionRef(binding.node, frame.mod))
            elif isinstance(binding, ClassDefinition):
                found.append(ClassRef(binding.node, frame.mod))
            elif isinstance(binding, Element):
                where = Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)
                found.extend(self.elements(binding.iterable, where, 0) or [UNSEEN_VALUE])
            else:
                found.extend(self._unpacked_values(binding, frame.mod, frame.envs))
        return found

    def live(self, bindings: list, frame: Frame) -> list:
        """The bindings not in a branch their ``if`` never takes in ``frame``: a builder's ``if
        use_bn: x = BatchNormalization()(x)`` with ``use_bn`` False at every call."""
        if not frame.mod.model.conditions:
            return bindings
        return [b for b in bindings if self.reached(Frame(frame.mod, b.scope, b.seq, b.blocks, frame.envs))]

    def reached(self, frame: Frame) -> bool:
        """No ``if`` around the place ``frame`` stands takes the other branch for every value its
        test may have there."""
        conditions = frame.mod.model.conditions
        for block in frame.blocks:
            if block in conditions:
                test, when = conditions[block]
                truth = self.truth(test, frame)
                if truth is not None and truth != when:
                    return False
        return True

    def truth(self, test, frame: Frame) -> Optional[bool]:
        """The test's truth for every value it may have here (a flag parameter whose every value is
        a literal); None when it cannot be told."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.truth(test.operand, frame)
            return None if inner is None else not inner
        if isinstance(test, (ast.Compare, ast.Call)):  # ``norm == "batchnorm"``, ``p is None``
            return compared_truth(test, lambda node: self.values(node, frame))
        if not isinstance(test, (ast.Name, ast.Attribute)):
            return None
        truths = {bool(v.value) if isinstance(v, Literal) else False if v == NONE_VALUE else None
                  for v in self.values(test, frame)}
        return truths.pop() if len(truths) == 1 and None not in truths else None

    def _reaching(self, scope: Scope, name: str, frame: Frame) -> list:
        """The bindings of ``name`` that reach its use; for a module name read in a module-level
        function that only module-level code calls (or in a function nested in one and only
        called there), or in the ``__init__`` of a module-level class that only module-level
        code constructs, those that reach the calls.

        A script that re-binds ``model = ...`` section by section and calls ``train_step``
        between two bindings runs the step on the earlier model; a notebook whose later cell
        re-binds a builder's name (``encoder = model.encoder``) built the model with the builder.
        """
        owner = scope.lookup(name)
        if owner is None or not owner.is_module or owner is scope:
            return reaching(scope, name, frame.seq, frame.blocks)
        # a function nested in it runs while the module-level function runs, as long as it is
        # only called, or handed to a call (a strategy's ``run(step_fn)``), where it is defined
        outer = scope
        while outer.parent is not owner and not _module_class_constructor(outer, owner):
            if not self._only_called(outer, outer.parent, frame.mod, handed=True):
                return reaching(scope, name, frame.seq, frame.blocks)
            outer = outer.parent
        # ``__init__`` runs where its class is constructed
        called = outer if outer.parent is owner else outer.parent
        calls = list(owner.calls.get(called.node.name, [])) if outer.is_function else []
        # a module-level step handed to a call that runs it there (``strategy.run(step, ...)``)
        runs = self._runs(called, owner, frame.mod) if outer.is_function and called is outer else []
        if runs is None or not calls and not runs \
                or not self._only_called(called, owner, frame.mod, handed=bool(runs)):
            return reaching(scope, name, frame.seq, frame.blocks)  # called elsewhere, or handed on
        calls += runs
        found: list = []
        for record in calls:
            for binding in reaching(owner, name, record.seq, record.blocks):
                if binding not in found:
                    found.append(binding)
        return found

    def _runs(self, function: Scope, caller: Scope, mod: project.ModuleInfo) -> Optional[list]:
        """The calls made in ``caller`` that ``function`` is handed to and that run it there; None
        when it is also handed to a call that may keep it for later (``tf.function(step)``)."""
        handed = [record for record, _ in self.value_uses(mod).handed.get(function.node.name, ())
                  if record.scope is caller]
        return handed if all(self.runs_handed_function(record.node) for record in handed) else None

    def _only_called(self, function: Scope, caller: Scope, mod: project.ModuleInfo, handed: bool = False) -> bool:
        """``function``'s name (a function's or a class's) is only ever called in ``caller`` (and,
        with ``handed``, given as an argument to calls made there): not kept, returned, subclassed
        or called from anywhere else."""
        if not function.is_function and not isinstance(function.node, ast.ClassDef):
            return False
        name = function.node.name
        uses = len(caller.calls.get(name, []))
        if handed:
            uses += sum(1 for record, _ in self.value_uses(mod).handed.get(name, ()) if record.scope is caller)
        if not uses or name in mod.model.attribute_calls:
            return False
        key = (id(mod), name)
        if key not in self._mentions:  # asked for each module name a function reads
            self._mentions[key] = sum(s.reads.get(name, 0) for s in mod.model.scopes)
        return self._mentions[key] == uses

    def item(self, node, key: object, frame: Frame, depth: int) -> List[Value]:
        """What ``node[key]`` stands for: with a constant ``key`` (:data:`_NO_KEY` otherwise), the
        element it picks from a dict or list display, through the names and ``self`` attributes
        holding one and the items set on them (``nets["g"] = G()``; one set with a variable key
        may be any key); any element (a dict's values) when it cannot be picked."""
        if isinstance(node, ast.Subscript) and depth <= 3:  # ``nets[0]["gen"]``: an item of each item
            inner = self.item_expressions(node, frame, depth + 1)
            if inner is not None:
                return [v for expr, where in inner for v in self.item(expr, key, where, depth + 1)] or [UNSEEN_VALUE]
        if key is not _NO_KEY and depth <= _MAX_ITEM_DEPTH:
            picked = self._display_item(node, key, frame)
            if picked is not None:
                return picked or [UNSEEN_VALUE]
            if isinstance(node, ast.Call):  # ``build()["gen"]``: what the project function returns
                returned = self.returned(node, frame)
                if returned is not None:
                    return [v for expr, where in returned for v in self.item(expr, key, where, depth + 1)] \
                        or [UNSEEN_VALUE]
            bindings = self._holders(node, frame)
            if bindings and all(isinstance(b, Parameter) and isinstance(node, ast.Name)
                                or isinstance(b, (Assignment, ItemAssignment)) and b.value is not None
                                for b in bindings):
                found: List[Value] = []
                for binding in bindings:
                    where = Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)
                    if isinstance(binding, Parameter):  # ``def train(nets): nets["gen"]``: what callers pass
                        sources = self.arguments(binding, node.id, frame)
                        if sources is None:
                            return [UNSEEN_VALUE]
                        found.extend(v for expr, arg_frame in sources for v in self.item(expr, key, arg_frame, depth + 1))
                        continue
                    if isinstance(binding, ItemAssignment):
                        set_key = _literal(binding.key)
                        if set_key is _NO_KEY or set_key == key and type(set_key) is type(key):
                            found.extend(self.values(binding.value, where))
                        continue
                    picked = self._display_item(binding.value, key, where)
                    found.extend(picked if picked is not None else self.item(binding.value, key, where, depth + 1))
                return found or [UNSEEN_VALUE]
        return self.elements(node, frame, depth, keyed=True)

    def item_expressions(self, node: ast.Subscript, frame: Frame, depth: int) -> Optional[List[Tuple[ast.expr, Frame]]]:
        """The expressions ``node`` (``container[key]``) may evaluate to, where each is written:
        the element a constant key picks from the list, tuple or dict displays the container
        stands for (any element for another key, or for a list that appends grow), through
        names, parameters (what the visible calls pass), ``self`` attributes, nested subscripts
        and the returns of project functions.  None when some path leads to something else."""
        index = subscript_index(node)
        if isinstance(index, (ast.Slice, ast.Tuple)) or type(index).__name__ == "ExtSlice":
            return None
        return self._picked(node.value, _literal(index), frame, depth)

    def _picked(self, node, key: object, frame: Frame, depth: int) -> Optional[List[Tuple[ast.expr, Frame]]]:
        if depth > _MAX_PICK_DEPTH:
            return None
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return None
            if type(key) is int:
                return [(node.elts[key], frame)] if -len(node.elts) <= key < len(node.elts) else []
            return [(e, frame) for e in node.elts] if key is _NO_KEY else None
        if isinstance(node, ast.Dict):
            keys = [_literal(k) if k is not None else _NO_KEY for k in node.keys]
            if _NO_KEY in keys:
                return None
            if key is _NO_KEY:
                return [(v, frame) for v in node.values]
            return [(v, frame) for k, v in zip(keys, node.values) if k == key and type(k) is type(key)][-1:]
        if isinstance(node, ast.Subscript):
            outer = self.item_expressions(node, frame, depth + 1)
            return None if outer is None else self._picked_from(outer, key, depth)
        if isinstance(node, ast.Call):
            returned = self.returned(node, frame)
            return None if returned is None else self._picked_from(returned, key, depth)
        sources: List[Tuple[ast.expr, Frame]] = []
        appended: List[Tuple[ast.expr, Frame]] = []
        holders = self._holders(node, frame)
        if not holders:
            return None
        for binding in holders:
            where = Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)
            if isinstance(binding, Append):
                appended.append((binding.value, where))
            elif isinstance(binding, Assignment) and binding.value is not None:
                sources.append((binding.value, where))
            elif isinstance(binding, Parameter) and isinstance(node, ast.Name):
                passed = self.arguments(binding, node.id, frame)
                if passed is None:
                    return None
                sources.extend(passed)
            else:
                return None
        if appended:  # ``nets = []`` grown by ``nets.append(pair)``: any index is any element
            key = _NO_KEY
        picked = self._picked_from(sources, key, depth)
        return None if picked is None else picked + appended

    def _picked_from(self, containers, key: object, depth: int) -> Optional[List[Tuple[ast.expr, Frame]]]:
        found: List[Tuple[ast.expr, Frame]] = []
        for expr, where in containers:
            picked = self._picked(expr, key, where, depth + 1)
            if picked is None:
                return None
            found.extend(picked)
        return found

    def _display_item(self, node, key: object, frame: Frame) -> Optional[List[Value]]:
        """What the constant ``key`` picks from a dict or list display: [] when it holds no such
        key (a ``KeyError`` there); None when ``node`` is no display whose keys are all seen."""
        if isinstance(node, ast.Dict) and None not in node.keys:
            keys = [_literal(k) for k in node.keys]
            if _NO_KEY in keys:
                return None
            picked = [v for k, v in zip(keys, node.values) if k == key and type(k) is type(key)]
            return [v for e in picked[-1:] for v in self.values(e, frame)]
        if isinstance(node, (ast.List, ast.Tuple)) and type(key) is int \
                and not any(isinstance(e, ast.Starred) for e in node.elts):
            return self.values(node.elts[key], frame) if -len(node.elts) <= key < len(node.elts) else []
        return None

    def _holders(self, node, frame: Frame) -> list:
        """The bindings that reach a name, or every binding of a ``self`` attribute; [] otherwise."""
        if isinstance(node, ast.Name):
            return reaching(frame.scope, node.id, frame.seq, frame.blocks)
        if is_self_attribute(node, frame.scope) and self._constructor_keyword(node, frame) is None:
            return self._self_attribute_bindings(node.attr, frame)
        return []

    def _self_attribute_bindings(self, attr: str, frame: Frame) -> list:
        """The bindings of ``self.<attr>`` read in a method (its class's, its subclasses', or its
        bases' in this module: :func:`~flake8_learning_phase.core.module.class_attribute_bindings`)."""
        return class_attribute_bindings(frame.mod.model, frame.scope.cls, attr)

    def elements(self, node, frame: Frame, depth: int, keyed: bool = False) -> List[Value]:
        """The elements of what ``for m in node`` iterates: a list or tuple display, a
        comprehension, lists joined with ``+``, a constant slice of a display, ``list(...)``,
        or a name or ``self`` attribute holding one (appends, extends and ``+=`` included);
        unseen for anything else.  ``keyed``: what ``node[key]`` may be instead, which for a
        dict (a display, ``dict(a=...)``, ``d.values()``) is one of its values, not its keys."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items: List[Value] = []  # ``models = []``: appends follow
            for element in node.elts:
                if isinstance(element, ast.Starred):  # ``[Masking(), *[rnn() for _ in range(n)]]``
                    items.extend(self.elements(element.value, frame, depth + 1) or [UNSEEN_VALUE])
                else:
                    items.extend(self.values(element, frame))
            return items
        if isinstance(node, ast.Dict):
            if not keyed or None in node.keys:  # iterating a dict gives its keys; ``{**base}``
                return [UNSEEN_VALUE]
            return [v for e in node.values for v in self.values(e, frame)]
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.values(node.elt, frame)
        if isinstance(node, ast.DictComp):
            return self.values(node.value, frame) if keyed else [UNSEEN_VALUE]
        if depth > 3:
            return [UNSEEN_VALUE]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # ``base_layers + [Dense(1)]``
            return (self.elements(node.left, frame, depth + 1, keyed) or [UNSEEN_VALUE]) \
                + (self.elements(node.right, frame, depth + 1, keyed) or [UNSEEN_VALUE])
        if isinstance(node, ast.Subscript):
            return self._slice_elements(node, frame, depth)
        if isinstance(node, ast.Call):
            builtin = self._builtin(node, frame)
            if builtin == "dict" and not node.args and all(k.arg is not None for k in node.keywords):
                return [v for k in node.keywords for v in self.values(k.value, frame)] if keyed else [UNSEEN_VALUE]
            if builtin in ("list", "tuple") and len(node.args) == 1 and not node.keywords:
                return self.elements(node.args[0], frame, depth + 1, keyed)
            if isinstance(node.func, ast.Attribute) and node.func.attr == "values" and not node.args \
                    and not node.keywords:  # ``models.values()``
                return self.elements(node.func.value, frame, depth + 1, keyed=True)
            # a function of the project returning a list
            returned = self.returned(node, frame)
            if returned is None:
                return [UNSEEN_VALUE]
            return [v for expr, where in returned for v in self.elements(expr, where, depth + 1, keyed) or [UNSEEN_VALUE]]
        if isinstance(node, ast.Name):
            bindings = reaching(frame.scope, node.id, frame.seq, frame.blocks)
        elif is_self_attribute(node, frame.scope):
            given = self._constructor_keyword(node, frame)
            if given is not None:
                return [v for expr, where in given for v in self.elements(expr, where, depth + 1) or [UNSEEN_VALUE]]
            bindings = self._self_attribute_bindings(node.attr, frame)
        else:
            return [UNSEEN_VALUE]
        found: List[Value] = []
        for binding in self.live(bindings, frame):  # not ``if use_bn: parts.append(...)`` never taken
            where = Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)
            if isinstance(binding, ItemAssignment):
                if keyed or not isinstance(_literal(binding.key), str):  # a string key: a dict, iterated by key
                    found.extend(self.values(binding.value, where))
            elif isinstance(binding, Append):
                found.extend(self.values(binding.value, where))
            elif isinstance(binding, (Assignment, Extend, Augmentation)) and binding.value is not None:
                found.extend(self.elements(binding.value, where, depth + 1, keyed))
            elif isinstance(binding, Parameter) and isinstance(node, ast.Name):
                sources = self.arguments(binding, node.id, frame)
                if sources is None:
                    return [UNSEEN_VALUE]
                for expr, arg_frame in sources:
                    found.extend(self.elements(expr, arg_frame, depth + 1, keyed) or [UNSEEN_VALUE])
            else:
                return [UNSEEN_VALUE]
        return found

    def _slice_elements(self, node: ast.Subscript, frame: Frame, depth: int) -> List[Value]:
        """``layers[1:]``: the elements a constant slice keeps of a list or tuple display (or of
        the name holding one); unseen for anything else (a slice of appended elements may drop
        any of them)."""
        index = subscript_index(node)
        if not isinstance(index, ast.Slice):
            return [UNSEEN_VALUE]
        bounds = [_literal(b) if b is not None else None for b in (index.lower, index.upper, index.step)]
        if any(b is _NO_KEY or b is not None and type(b) is not int for b in bounds):
            return [UNSEEN_VALUE]
        displays = [(node.value, frame)]
        bindings = self._holders(node.value, frame)
        if bindings:
            if not all(isinstance(b, Assignment) and b.value is not None for b in bindings):
                return [UNSEEN_VALUE]
            displays = [(b.value, Frame(frame.mod, b.scope, b.seq, b.blocks, frame.envs)) for b in bindings]
        found: List[Value] = []
        for display, where in displays:
            if not isinstance(display, (ast.List, ast.Tuple)) or any(isinstance(e, ast.Starred) for e in display.elts):
                return [UNSEEN_VALUE]
            kept = display.elts[slice(*bounds)]
            found.extend(v for e in kept for v in self.values(e, where))
        return found

    def _builtin(self, call: ast.Call, frame: Frame) -> Optional[str]:
        """The name of the Python builtin ``call`` calls (``list``, ``dict``), unless the module rebinds it."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in ("list", "tuple", "dict") \
                and frame.scope.lookup(func.id) is None and func.id not in frame.mod.relative \
                and not frame.mod.stars:
            return func.id
        return None

    def returned(self, call: ast.Call, frame: Frame):
        """``(expression, frame)`` for every ``return`` of the project functions ``call`` calls;
        None when a callee is not such a function."""
        returned = []
        for callee in self.values(call.func, frame):
            scope = self.function_scope(callee.node, callee.mod) if isinstance(callee, FunctionRef) else None
            if scope is None or not scope.returns:
                return None
            bound = callee.bound is not None
            mapping = self.bind_arguments(callee.node, call, frame, bound)
            envs = frame.envs + ((id(scope), mapping),)
            returned.extend((ret.value, Frame(callee.mod, scope, seq, blocks, envs))
                            for ret, seq, blocks in reachable_returns(callee.node, call, mapping, scope.returns,
                                                                       self.values))
        return returned

    def arguments(self, binding: Parameter, name: str, frame: Frame):
        """The ``(expression, frame)`` pairs the visible calls pass for a parameter; None when unknown."""
        mapping = known_arguments(frame, binding.scope)
        if mapping is not None:
            return mapping.get(name, [])
        passed = self.passed_arguments(binding, frame)
        return passed.sources if passed.complete else None

    def _unpacked_values(self, binding, mod, envs) -> List[Value]:
        """``a, b = build()`` with ``build`` here returning tuples: what element ``a`` is."""
        if not isinstance(binding, Unpacking):
            return [UNSEEN_VALUE]
        # ``a, b = pair`` after ``pair = build(units)``: followed below, with the call's arguments bound
        elements = unpacked(binding) if isinstance(binding.value, ast.Call) else []
        if not elements:
            where = Frame(mod, binding.scope, binding.seq, binding.blocks, envs)
            return self._element_values(binding.value, where, binding.index, binding.count, 0)
        found: List[Value] = []
        for element, scope, seq, blocks in elements:
            found.extend(self.values(element, Frame(mod, scope, seq, blocks, envs)))
        return found

    def _element_values(self, node, frame: Frame, index: int, count: int, depth: int) -> List[Value]:
        """Element ``index`` of the ``count``-tuple ``node`` stands for: a display, a call of a
        function of the project returning displays, or a name or parameter bound to one
        (``def train(models): encoder, decoder = models`` with ``train(build(), ...)``)."""
        if depth > 4:
            return [UNSEEN_VALUE]
        if isinstance(node, (ast.Tuple, ast.List)):
            if len(node.elts) != count or any(isinstance(e, ast.Starred) for e in node.elts):
                return [UNSEEN_VALUE]
            return self.values(node.elts[index], frame)
        found: List[Value] = []
        if isinstance(node, ast.Call):
            returned = self.returned(node, frame)
            if returned is None:
                return [UNSEEN_VALUE]
            for expr, where in returned:
                found.extend(self._element_values(expr, where, index, count, depth + 1))
            return found or [UNSEEN_VALUE]
        if isinstance(node, ast.Subscript):  # ``actor, critic = nets[0]`` with ``nets = [[a, c], ...]``
            picked = self.item_expressions(node, frame, depth + 1)
            if picked is None:
                return [UNSEEN_VALUE]
            for expr, where in picked:
                found.extend(self._element_values(expr, where, index, count, depth + 1))
            return found or [UNSEEN_VALUE]
        if not isinstance(node, ast.Name):
            return [UNSEEN_VALUE]
        for binding in reaching(frame.scope, node.id, frame.seq, frame.blocks):
            if isinstance(binding, Assignment) and binding.value is not None:
                sources = [(binding.value, Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs))]
            elif isinstance(binding, Parameter):
                sources = self.arguments(binding, node.id, frame)
                if sources is None:
                    return [UNSEEN_VALUE]
            else:
                return [UNSEEN_VALUE]
            for expr, where in sources:
                found.extend(self._element_values(expr, where, index, count, depth + 1))
        return found or [UNSEEN_VALUE]

    def _unbound(self, name: str, mod: project.ModuleInfo) -> List[Value]:
        """A name no binding reaches: a relative import, a star import, or a builtin."""
        relative = mod.relative.get(name)
        if relative is not None:
            level, module, imported = relative
            target = self._same(project.resolve_relative(mod, level, module))
            if target is None:
                return [UNSEEN_VALUE]
            if target.model.module.lookup(imported) is None and not target.stars:
                sub = self._same(project.resolve_submodule(target, imported))
                if sub is not None:
                    return [ModuleRef(sub)]
            return self.global_values(target, imported)
        for level, module in mod.stars:
            if not level:
                known = self.star_import_values(module, name)
                if known is not None:
                    if known:
                        return known
                    continue
            target = self._same(project.resolve_relative(mod, level, module)) if level \
                else self._absolute_module(mod, module)
            if target is not None and target is not mod and target.model.module.lookup(name) is not None:
                return self.global_values(target, name)
        return [UNSEEN_VALUE]

    def _absolute_module(self, mod, module: str) -> Optional[project.ModuleInfo]:
        found = project.resolve_absolute(mod, module)
        if found is None or found[1]:
            return None
        return self._same(found[0])

    def global_values(self, mod: project.ModuleInfo, name: str) -> List[Value]:
        frame = Frame(mod, mod.model.module, sys.maxsize, (), ())
        return self.name_values(name, frame)

    def module_member(self, mod: project.ModuleInfo, name: str) -> List[Value]:
        """``name`` of a project module.  A module that has no such name (no binding, import or
        submodule) while the code reads it is not what the code runs with: a project folder
        that shadows a library (a repository's ``tensorflow/`` package beside its ``pytorch/``
        one, read as ``tf.keras``) stands for the library, whose ``name`` it is."""
        if mod.model.module.lookup(name) is None and name not in mod.relative and not mod.stars \
                and project.resolve_submodule(mod, name) is None:
            dotted = project.dotted_module(mod.path)
            if dotted:
                return [LibRef(dotted + "." + name)]
        return self.global_values(mod, name)

    def import_values(self, qualified: str, mod: project.ModuleInfo) -> List[Value]:
        # A library is known by name, even when the analyzed tree holds its sources (tensorflow's
        # own tests import ``tensorflow.python.keras``, which is then a module of the "project").
        key = (id(mod), qualified)
        if key not in self._imported:  # file-system look-ups, the same all through one analysis
            self._imported[key] = project.resolve_absolute(mod, qualified) \
                if mod.path is not None and not self.library_owned(qualified) else None
        found = self._imported[key]
        if found is None:
            return [LibRef(qualified)]
        target, rest = found
        target = self._same(target)
        if not rest:
            package = self._binding_package(qualified, mod)
            if package is not None:
                return self.module_member(package, qualified.rpartition(".")[2])
            return [ModuleRef(target)]
        values = self.module_member(target, rest[0])
        for attr in rest[1:]:
            values = [v for value in values for v in self.member(value, attr)]
        return values

    def _binding_package(self, qualified: str, mod) -> Optional[project.ModuleInfo]:
        """The package whose ``__init__`` binds the last name of ``a.b.C`` itself, which Python
        takes before the submodule of that name: ``from .Scorer import Scorer`` in ``b`` makes
        ``from a.b import Scorer`` the class, not the module."""
        parent, _, name = qualified.rpartition(".")
        found = project.resolve_absolute(mod, parent) if parent else None
        if found is None or found[1] or os.path.basename(found[0].path or "") != "__init__.py":
            return None
        package = self._same(found[0])
        bound = package.model.module.lookup(name) is not None or name in package.relative
        return package if bound else None

    def attribute_values(self, node: ast.Attribute, frame: Frame) -> List[Value]:
        given = self._constructor_keyword(node, frame)
        if given is not None:
            return [v for expr, where in given for v in self.values(expr, where)]
        found: List[Value] = []
        for value in self.values(node.value, frame):
            found.extend(self.member(value, node.attr, frame))
        return found

    def _constructor_keyword(self, node: ast.Attribute, frame: Frame) -> Optional[list]:
        """``self.attr`` read in ``__init__`` after ``self.__dict__.update(kwargs)`` and before
        ``__init__`` assigns it: the ``(expression, frame)`` the constructor calls pass as keyword
        ``attr``; None for any other read, or when a call does not pass it."""
        scope = frame.scope
        if scope.cls is None or scope.self_name is None or not isinstance(node.value, ast.Name) \
                or node.value.id != scope.self_name or getattr(scope.node, "name", None) != "__init__":
            return None
        if any(b.scope is scope and b.seq < frame.seq for b in scope.cls.attr_bindings.get(node.attr, ())):
            return None
        if not any(record.scope is scope and record.seq < frame.seq and _updates_dict(record.node, scope.self_name)
                   for record in frame.mod.model.attribute_calls.get("update", ())):
            return None
        mapping = known_arguments(frame, scope)
        if mapping is not None:
            return mapping.get(node.attr)
        found = []
        for call, where, bound in self.invocations(scope.node, frame.mod, scope):
            passed = self.bind_arguments(scope.node, call, where, bound).get(node.attr)
            if passed is None:
                return None
            found.extend(passed)
        return found or None

    def member(self, value: Value, attr: str, frame: Optional[Frame] = None) -> List[Value]:
        if isinstance(value, LibRef):
            return [LibRef(value.qualified + "." + attr)]
        if isinstance(value, ModuleRef):
            return self.module_member(value.mod, attr)
        if isinstance(value, Instance):
            return self.class_member(value.cls, value.mod, attr, value.construction)
        if isinstance(value, ClassRef):
            return self.class_member(value.node, value.mod, attr, None)
        if value == NONE_VALUE:
            return []  # ``None.make_op``: that path raises AttributeError, it makes nothing
        if isinstance(value, Foreign):
            return [Foreign(value.what + "." + attr)]  # a plain library object's parts are plain too
        return [UNSEEN_VALUE]

    def class_member(self, cdef, mod, attr: str, construction: Optional[Construction]) -> List[Value]:
        info = mod.model.classes.get(id(cdef))
        if info is None:
            return [UNSEEN_VALUE]
        if attr in info.methods:
            return [FunctionRef(info.methods[attr].node, mod, Instance(cdef, mod, construction))]
        bindings = info.attr_bindings.get(attr)
        if not bindings:
            for base in self.project_bases(cdef, mod):
                return self.class_member(base.node, base.mod, attr, construction)
            return self.inherited_member(cdef, mod, attr)
        envs = self.init_envs(info, mod, construction)
        found: List[Value] = []
        for binding in bindings:
            if binding.augments:
                continue
            if isinstance(binding, Assignment):
                found.extend(self.values(binding.value, Frame(mod, binding.scope, binding.seq, binding.blocks, envs)))
            else:
                found.extend(self._unpacked_values(binding, mod, envs))
        return found

    def init_envs(self, info, mod, construction: Optional[Construction]) -> tuple:
        init = info.methods.get("__init__")
        if init is None or construction is None:
            return ()
        frame = construction.frame
        return frame.envs + ((id(init), self.bind_arguments(init.node, construction.call, frame, True)),)

    def call_values(self, call: ast.Call, frame: Frame) -> List[Value]:
        found: List[Value] = []
        same = self.same_object(call, frame)
        if same is not None:
            return same
        for callee in self.values(call.func, frame):
            found.extend(self.called(callee, call, frame))
        return found

    def called(self, callee: Value, call: ast.Call, frame: Frame) -> List[Value]:
        """What ``call`` makes when its callee is ``callee``."""
        if isinstance(callee, LibRef):
            if callee.qualified == "functools.partial" and call.args \
                    and not isinstance(call.args[0], ast.Starred):
                return [Partial(call, frame)]
            return self.library_call(callee, call, frame)
        if isinstance(callee, FunctionRef):
            return self.returned_values(callee, call, frame)
        if isinstance(callee, ClassRef):
            return [Instance(callee.node, callee.mod, Construction(call, frame))]
        if isinstance(callee, (Foreign, Literal)):
            return [callee]  # what a plain function or a variable maker returns is no layer
        if isinstance(callee, LambdaRef):
            return self._lambda_result(callee, call, frame)
        if isinstance(callee, Partial):
            # ``partial(f, a, k=1)(b, k=2)`` calls ``f(a, b, k=2)``: one call made of both, kept so
            # that the same question gets the same node; its arguments are read in ``frame``
            # (a partial's are mostly literals)
            made = callee.call
            key = (id(made), id(call))
            merged = self._partials.get(key)
            if merged is None:
                merged = ast.Call(func=made.args[0], args=made.args[1:] + call.args,
                                  keywords=made.keywords + call.keywords)
                self._partials[key] = ast.copy_location(merged, call)
            return [v for inner in self.values(made.args[0], callee.frame)
                    for v in self.called(inner, merged, frame)]
        return [UNSEEN_VALUE]

    def _lambda_result(self, callee: LambdaRef, call: ast.Call, frame: Frame) -> List[Value]:
        """What the lambda's body stands for: the argument, when the body is one of its parameters;
        else the body read where the lambda is written (its own parameters unseen there)."""
        body = callee.node.body
        params = [a.arg for a in callee.node.args.args]
        if isinstance(body, ast.Name) and body.id in params:
            mapping = self.bind_arguments(callee.node, call, frame, False)
            passed = mapping.get(body.id)
            return [v for expr, where in passed for v in self.values(expr, where)] if passed else [UNSEEN_VALUE]
        if any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(body)):
            uses = [n for n in ast.walk(body) if isinstance(n, ast.Call)]
            if any(isinstance(c.func, ast.Name) and c.func.id in params for c in uses):
                return [UNSEEN_VALUE]  # ``lambda f: f(x)``: what the argument makes
        return self.values(body, callee.frame)

    def function_scope(self, fdef, mod) -> Optional[Scope]:
        return mod.model.function_scopes.get(id(fdef))

    def returned_values(self, callee: FunctionRef, call: ast.Call, frame: Frame) -> List[Value]:
        mod = callee.mod
        scope = self.function_scope(callee.node, mod)
        if scope is None or not scope.returns:
            return [UNSEEN_VALUE]
        mapping = self.bind_arguments(callee.node, call, frame, callee.bound is not None)
        envs = frame.envs + ((id(scope), mapping),)
        found: List[Value] = []
        for ret, seq, blocks in reachable_returns(callee.node, call, mapping, scope.returns, self.values):
            found.extend(self.values(ret.value, Frame(mod, scope, seq, blocks, envs)))
        return found

    def bind_arguments(self, fdef, call: ast.Call, frame: Frame, skip_first: bool) -> Arguments:
        """The arguments of one call of ``fdef``, by parameter name."""
        params = parameter_names(fdef, skip_first)
        mapping = Arguments()
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                mapping.unpacked.append((arg.value, frame))  # the later positional parameters may come from it
                break
            if index < len(params):
                mapping[params[index]] = [(arg, frame)]
        for keyword in call.keywords:
            if keyword.arg is not None:
                mapping[keyword.arg] = [(keyword.value, frame)]
            else:
                mapping.forwarded.append((keyword.value, frame))
        return mapping

    # -- parameters: who calls the function --------------------------------------------

    def parameter_values(self, binding: Parameter, frame: Frame) -> List[Value]:
        scope = binding.scope
        name = binding.node.arg
        mapping = known_arguments(frame, scope)
        if mapping is not None:
            given = self._given(name, mapping)
            if given is not None:
                return given
            return self.values(binding.value, Frame(frame.mod, scope.parent, sys.maxsize, (), frame.envs)) \
                if binding.value is not None else [UNSEEN_VALUE]
        fdef = scope.node
        if not isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [UNSEEN_VALUE]
        found: List[Value] = []
        invocations = self.invocations(fdef, frame.mod, scope)
        # ``net = net if net is not None else QNet``: the function's own fallback, in the places
        # it takes the parameter's, says what the function is written for when none is passed
        falls_back = _is_none(binding.value) and self._falls_back(fdef, name)
        if not invocations:
            return [NONE_VALUE] if falls_back else self.unpassed_parameter(fdef, frame.mod) or [UNSEEN_VALUE]
        for call, where, bound in invocations:
            mapping = self.bind_arguments(fdef, call, where, bound)
            if name in mapping:
                expr, arg_frame = mapping[name][0]
                values = self.values(expr, arg_frame)
                if values == [UNSEEN_VALUE] and self._unreached_parameter(expr, arg_frame):
                    continue  # ``super().__init__(encoder)`` in a subclass nothing constructs
                found.extend(values)
            elif any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                if falls_back and self._forwards_nothing(call, where):
                    found.append(NONE_VALUE)
                elif not self._forwards_unreached(call, where):  # ``algo(**params)`` in a dispatcher
                    found.append(UNSEEN_VALUE)                   # no visible call reaches: nothing
            elif binding.value is not None:
                found.extend(self.values(binding.value, Frame(frame.mod, scope.parent, sys.maxsize, (), ())))
        if id(fdef) in self._cut:
            found.append(UNSEEN_VALUE)
        # a call made only where nothing visible runs adds nothing when the project shows other
        # calls (their arguments are what the function is used with); with none, it stays unseen
        return found or [UNSEEN_VALUE]

    def _given(self, name: str, mapping: Arguments) -> Optional[List[Value]]:
        """What a followed call gives the parameter ``name``: its argument, or what a ``**kwargs``
        it forwards holds for it (``conv_block(x, **config)`` in ``build(**config)``, called as
        ``build(norm="layer")``); None when the call leaves it at its default; unseen when a
        ``*args`` or a ``**`` dict the evaluator cannot read may hold it."""
        if name in mapping:
            return [v for expr, where in mapping[name] for v in self.values(expr, where)]
        if mapping.unpacked:
            return [UNSEEN_VALUE]
        found: List[Value] = []
        for expr, where in mapping.forwarded:
            outer = self._forwarding(expr, where)
            inner = self._given(name, outer) if outer is not None else [UNSEEN_VALUE]
            found.extend(inner or ())
            if inner is None and found:
                found.append(UNSEEN_VALUE)  # given by one forwarded dict, left out by another
        return found or None

    def _forwarding(self, expr, frame: Frame) -> Optional[Arguments]:
        """The arguments the ``**kwargs`` parameter ``expr`` holds, keyword -> [(value, frame)],
        when it is the enclosing function's and the call being followed into it is known."""
        if not isinstance(expr, ast.Name):
            return None
        bindings = reaching(frame.scope, expr.id, frame.seq, frame.blocks)
        if len(bindings) != 1 or not isinstance(bindings[0], Parameter):
            return None
        scope = bindings[0].scope
        kwarg = getattr(getattr(scope.node, "args", None), "kwarg", None)
        if kwarg is None or kwarg.arg != expr.id:
            return None
        outer = known_arguments(frame, scope)
        if outer is None:
            return None
        # the named parameters of that function are not in its ``**kwargs``
        named = set(parameter_names(scope.node, False)) | {a.arg for a in scope.node.args.kwonlyargs}
        forwarded = Arguments((key, value) for key, value in outer.items() if key not in named)
        forwarded.unpacked, forwarded.forwarded = outer.unpacked, outer.forwarded
        return forwarded

    def _unreached_parameter(self, expr, frame: Frame) -> bool:
        """``expr`` is a parameter of the function it is read in, which no visible call reaches
        (a subclass's ``__init__`` that nothing constructs)."""
        scope = frame.scope
        if not isinstance(expr, ast.Name) or not scope.is_function or known_arguments(frame, scope) is not None:
            return False
        bindings = reaching(scope, expr.id, frame.seq, frame.blocks)
        return bool(bindings) and all(isinstance(b, Parameter) and b.scope is scope for b in bindings) \
            and self._unreached_function(scope, frame.mod)

    def _unreached_function(self, scope: Scope, mod) -> bool:
        """No visible call reaches the function: none is made, or each is made in a function no
        visible call reaches (``super().__init__(...)`` of a base whose subclasses nothing
        constructs).  A cycle counts as reached, and so does a test, which its runner calls."""
        key = id(scope.node)
        if key not in self._unreached:
            self._unreached[key] = False
            run_elsewhere = _run_by_a_test_runner(scope) or self._handed_to_library(scope, mod)
            self._unreached[key] = not run_elsewhere and all(
                where.scope.is_function and self._unreached_function(where.scope, where.mod)
                for _, where, _ in self.invocations(scope.node, mod, scope))
        return self._unreached[key]

    def _handed_to_library(self, scope: Scope, mod) -> bool:
        """The function is handed by name to a call that is not the project's, which may run it
        (``app.run(main)``, ``threading.Thread(target=work)``) from where this module binds it."""
        name = getattr(scope.node, "name", None)
        if name is None or scope.parent is None or scope.cls is not None:
            return False
        for record, _ in self.value_uses(mod).handed.get(name, ()):
            frame = self.frame_of(mod, record)
            if not any(isinstance(v, FunctionRef) and v.node is scope.node for v in self.name_values(name, frame)):
                continue
            if not any(isinstance(callee, (FunctionRef, ClassRef)) for callee in self.values(record.node.func, frame)):
                return True
        return False

    def _forwards_unreached(self, call: ast.Call, where: Frame) -> bool:
        """Every ``*args``/``**kwargs`` ``call`` unpacks is a parameter of the function it is made
        in, which no visible call reaches (``return algo(**alg_params)`` in a dispatcher that
        only ``eval`` calls)."""
        unpacked = [a.value for a in call.args if isinstance(a, ast.Starred)] + \
            [k.value for k in call.keywords if k.arg is None]
        return bool(unpacked) and all(self._unreached_parameter(expr, where) for expr in unpacked)

    def _falls_back(self, fdef, name: str) -> bool:
        """:func:`_replaced_when_none`, once per def and parameter (a walk of the def's body)."""
        key = (id(fdef), name)
        if key not in self._fallbacks:
            self._fallbacks[key] = _replaced_when_none(fdef, name)
        return self._fallbacks[key]

    def _forwards_nothing(self, call: ast.Call, where: Frame) -> bool:
        """``super().__init__(**kwargs)`` made with its function's own ``**kwargs`` when no
        visible call of that function passes any keyword it could hold."""
        fdef = where.scope.node
        forwarded = [k.value for k in call.keywords if k.arg is None]
        if any(isinstance(a, ast.Starred) for a in call.args) or len(forwarded) != 1 \
                or not isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)) or fdef.args.kwarg is None \
                or not isinstance(forwarded[0], ast.Name) or forwarded[0].id != fdef.args.kwarg.arg:
            return False
        return not self.invocations(fdef, where.mod, where.scope)

    def passed_arguments(self, binding: Parameter, frame: Frame) -> PassedArguments:
        """What the visible calls pass for a parameter; incomplete when a call does not pass it,
        no call is visible, or the callers were cut at the budget."""
        fdef = binding.scope.node
        found = []
        complete = True
        if isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for call, where, bound in self.invocations(fdef, frame.mod, binding.scope):
                mapping = self.bind_arguments(fdef, call, where, bound)
                passed = mapping.get(binding.node.arg)
                if passed and len(passed) == 1 and self._unreached_parameter(*passed[0]) \
                        or not passed and self._forwards_unreached(call, where):
                    continue  # made only where no visible call reaches: see parameter_values
                if passed:
                    found.extend(passed)
                else:
                    complete = False
        if not found or id(fdef) in self._cut:
            complete = False
        return PassedArguments(found, complete)

    def all_calls(self, mod) -> list:
        cached = self._calls.get(id(mod))
        if cached is None:
            cached = [r for s in mod.model.scopes for records in s.calls.values() for r in records]
            cached += [r for records in mod.model.attribute_calls.values() for r in records]
            self._calls[id(mod)] = cached
        return cached

    def frame_of(self, mod, record, envs=()) -> Frame:
        return Frame(mod, record.scope, record.seq, record.blocks, envs)

    def calls_reaching(self, mod, target_kind: type, target_node, name: str):
        """Calls in ``mod`` whose callee stands for ``target_node``: a def (``target_kind``
        :class:`FunctionRef`) or a class (:class:`ClassRef`) of some module."""
        for record in mod.model.calls_of(name):
            frame = self.frame_of(mod, record)
            if any(isinstance(v, target_kind) and v.node is target_node for v in self.values(record.node.func, frame)):
                yield record, frame

    def invocations(self, fdef, mod, scope: Scope, depth: int = 0, local: bool = False) -> List[Invocation]:
        """Every visible call of ``fdef`` (defined in ``mod``, its body ``scope``); ``local``: only
        the calls made in ``mod``.

        Calls from tests and examples do not count for code outside them: a library class's
        tests build small models (keras-rl2's DDPG tests use Dense-only actors) while its users
        hand it any model.  The calls of the module analysed count, whatever it is: an example
        that hands the library its models is asking about those.
        """
        key = (id(fdef), id(mod), depth, local)
        if local and key not in self._invoked and (id(fdef), id(mod), depth, False) in self._invoked:
            whole = self._invoked[(id(fdef), id(mod), depth, False)]
            self._invoked[key] = [i for i in whole if i.frame.mod is mod]
        if key not in self._invoked:  # the same for every question of this analysis
            found = []
            callers = {id(mod)}
            with_tests = self._in_tests(mod, scope)
            # lazily: the project files after the budget's last caller are not even parsed
            for invocation in self._invocations(fdef, mod, scope, depth, local):
                where = invocation.frame
                if local and where.mod is not mod:
                    continue  # inside a function of another module it is handed to
                if with_tests or self._is_root(where.mod) or not self._in_tests(where.mod, where.scope):
                    callers.add(id(where.mod))
                    if len(callers) > 1 + MAX_CALLER_MODULES:
                        self._cut.add(id(fdef))
                        break
                    found.append(invocation)
            self._invoked[key] = found
        return self._invoked[key]

    def constructions(self, cdef, mod) -> List[Construction]:
        """The visible ``Class(...)`` calls of a project class: in its module and in at most
        :data:`MAX_CALLER_MODULES` modules that import it (those in tests left out for code
        outside them, unless made in the module analysed)."""
        found = []
        with_tests = self._in_tests(mod, None)
        modules = itertools.islice(itertools.chain((mod,), self.importers(mod, cdef.name)), 1 + MAX_CALLER_MODULES)
        for other in modules:
            for record, frame in self.calls_reaching(other, ClassRef, cdef, cdef.name):
                if with_tests or self._is_root(other) or not self._in_tests(other, record.scope):
                    found.append(Construction(record.node, frame))
        return found

    def _is_root(self, mod) -> bool:
        """``mod`` is the module analysed (loaded again as an importer of another, or this one)."""
        return mod is self.root or mod.path is not None and self.root.path is not None \
            and os.path.abspath(mod.path) == os.path.abspath(self.root.path)

    def _in_tests(self, mod, scope: Optional[Scope]) -> bool:
        """Code in a test or example module, or in a ``test*`` function or ``Test*`` class."""
        if id(mod) not in self._test_modules:  # a look at the folders above it: once per analysis
            self._test_modules[id(mod)] = project.is_test_or_example(mod.path)
        return self._test_modules[id(mod)] or _in_test_code(scope)

    def _invocations(self, fdef, mod, scope: Scope, depth: int, local: bool):
        if scope.cls is not None:
            cls = scope.cls
            for record in cls.attr_calls.get(fdef.name, ()):
                yield Invocation(record.node, self.frame_of(mod, record), True)
            cdef = cls.node
            if fdef.name == "__init__":
                for other in itertools.chain((mod,), self.importers(mod, cdef.name, local)):
                    for record, frame in self.calls_reaching(other, ClassRef, cdef, cdef.name):
                        yield Invocation(record.node, frame, True)
                    yield from self._calls_through_values(other, ClassRef, cdef, depth)
                    yield from self._base_constructor_calls(other, cdef)
                yield from self._inheriting_constructions(cdef, mod, depth)
                return
            # ``buffer.learn(actors, critics)`` on an instance, here or in a module importing the class
            for other in itertools.chain((mod,), self.importers(mod, cdef.name, local)):
                records = other.model.attribute_calls.get(fdef.name, ())
                if len(records) > _MAX_METHOD_CALLS:
                    continue  # a name as common as ``get``: the budget is better spent elsewhere
                for record in records:
                    owner = record.node.func.value
                    if isinstance(owner, ast.Name) and owner.id == record.scope.self_name:
                        continue  # ``self.learn(...)``: counted above
                    frame = self.frame_of(other, record)
                    if any(isinstance(v, Instance) and v.cls is cdef for v in self.values(owner, frame)):
                        yield Invocation(record.node, frame, True)
            return
        for other in itertools.chain((mod,), self.importers(mod, fdef.name, local)):
            for record, frame in self.calls_reaching(other, FunctionRef, fdef, fdef.name):
                yield Invocation(record.node, frame, False)
        yield from self._calls_through_values(mod, FunctionRef, fdef, depth)

    def _inheriting_constructions(self, cdef, mod, depth: int):
        """``Sub(net)`` of a subclass (here or in a module importing ``cdef``) that inherits the
        constructor, or whose own hands ``*args, **kwargs`` on to it unchanged: a call of
        ``cdef.__init__`` with the same arguments; and so on down its own such subclasses."""
        if depth >= 3:
            return
        for other in itertools.chain((mod,), self.importers(mod, cdef.name)):
            for info in other.model.classes.values():
                init = info.methods.get("__init__")
                if info.node is cdef or init is not None and not _forwards_everything(init.node):
                    continue
                bases = self.project_bases(info.node, other)
                if bases and bases[0].node is cdef:
                    for construction in self.constructions(info.node, other):
                        yield Invocation(construction.call, construction.frame, True)
                    yield from self._inheriting_constructions(info.node, other, depth + 1)

    def _base_constructor_calls(self, mod, cdef):
        """A subclass's ``super().__init__(gen, disc)`` (its first project base is ``cdef``) and
        ``Base.__init__(self, gen, disc)`` in ``mod``: the subclass hands the base what it keeps
        (its constructions are followed instead when it hands on ``*args, **kwargs``)."""
        for record in mod.model.attribute_calls.get("__init__", ()):
            owner = record.node.func.value
            cls = record.scope.cls
            if cls is None:
                continue
            frame = self.frame_of(mod, record)
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                bases = self.project_bases(cls.node, mod)
                if bases and bases[0].node is cdef and not _forwards_everything(record.scope.node):
                    yield Invocation(record.node, frame, True)
            elif any(isinstance(v, ClassRef) and v.node is cdef for v in self.values(owner, frame)) \
                    and record.node.args and isinstance(record.node.args[0], ast.Name) \
                    and record.node.args[0].id == record.scope.self_name:
                yield Invocation(record.node, frame, False)

    def _calls_through_values(self, mod, kind: type, target, depth: int):
        """Calls in ``mod`` of the function or class ``target`` (a ``kind`` value) made through
        another name bound to it (``agent_class = DQN``, then ``agent_class(net)``) or inside a
        function it is handed to as a value (``main(build, train)``, ``run(agent_class)``).  Such
        a name may stand for other classes too: a call whose arguments do not fit ``target``'s
        signature is one of theirs (Python would raise ``TypeError`` for this one)."""
        bound = kind is ClassRef  # a constructor call binds ``self``
        signature = target
        if kind is ClassRef:
            info = mod.model.classes.get(id(target))
            init = info.methods.get("__init__") if info is not None else None
            signature = init.node if init is not None else None
        uses = self.value_uses(mod)
        aliases = uses.aliases.get(target.name, set()) - {target.name}
        # A call through a parameter is reached both ways; handed on first, where the frame binds
        # the other arguments of the call that handed it (``make(agent_class, dense_network)``).
        seen = set()
        handed = sorted(((record, slot, name) for name in aliases | {target.name}
                         for record, slot in uses.handed.get(name, ())), key=lambda h: (h[0].seq, str(h[1])))
        for record, slot, name in handed:
            frame = self.frame_of(mod, record)
            if any(isinstance(v, kind) and v.node is target for v in self.name_values(name, frame)):
                for invocation in self._calls_of_value(record.node, slot, frame, depth, bound):
                    if signature is None or can_bind(signature, invocation.call, bound):
                        seen.add(id(invocation.call))
                        yield invocation
        for alias in sorted(aliases):
            for record, frame in self.calls_reaching(mod, kind, target, alias):
                if id(record.node) not in seen and (signature is None or can_bind(signature, record.node, bound)):
                    yield Invocation(record.node, frame, bound)

    def value_uses(self, mod) -> "ValueUses":
        """Which names each name is copied to, and which calls hand each name on (one pass per
        module, shared by every "who calls this" question)."""
        found = self._uses.get(id(mod))
        if found is None:
            aliases: Dict[str, set] = {}
            for scope in mod.model.scopes:
                for name, bindings in scope.bindings.items():
                    for binding in bindings:
                        if isinstance(binding, Assignment) and isinstance(binding.value, ast.Name):
                            aliases.setdefault(binding.value.id, set()).add(name)
            handed: Dict[str, list] = {}
            for record in self.all_calls(mod):
                for slot, arg in _handed(record.node):
                    handed.setdefault(arg.id, []).append((record, slot))
            found = self._uses[id(mod)] = ValueUses(aliases, handed)
        return found

    def _calls_of_value(self, call, slot, frame: Frame, depth: int, bound: bool = False):
        """Calls of the function (or, ``bound``, the class) passed as argument ``slot`` (a
        position or a keyword) of ``call``, inside the callee."""
        if depth > 3:
            return []
        found = []
        for callee in self.values(call.func, frame):
            if not isinstance(callee, FunctionRef):
                continue
            gdef, gmod = callee.node, callee.mod
            gscope = self.function_scope(gdef, gmod)
            if gscope is None:
                continue
            params = parameter_names(gdef, callee.bound is not None)
            if isinstance(slot, int):
                if slot >= len(params):
                    continue
                pname = params[slot]
            elif slot in params or any(a.arg == slot for a in gdef.args.kwonlyargs):
                pname = slot
            else:
                continue
            envs = frame.envs + ((id(gscope), self.bind_arguments(gdef, call, frame, callee.bound is not None)),)
            for record in gscope.calls.get(pname, ()):
                found.append(Invocation(record.node, self.frame_of(gmod, record, envs), bound))
            for record in self.all_calls(gmod):
                if record.scope is not gscope:
                    continue
                for inner_slot, arg in _handed(record.node):
                    if arg.id == pname:
                        found.extend(self._calls_of_value(record.node, inner_slot, self.frame_of(gmod, record, envs),
                                                          depth + 1, bound))
        return found

    def importers(self, mod, name: str, local: bool = False):
        """The project's modules that may import ``name`` from ``mod`` (none when ``local``, and
        none for a notebook, which no module imports)."""
        if mod.path is None or local or mod.path.lower().endswith(".ipynb"):
            return
        stem = mod.path.replace("\\", "/").rsplit("/", 1)[-1][:-3]
        if stem == "__init__":
            stem = mod.path.replace("\\", "/").rsplit("/", 2)[-2]
        for other in project.files_mentioning(mod, name, self._indexes):
            if stem in other.text:
                yield other

    # -- classes ----------------------------------------------------------------------

    def project_bases(self, cdef, mod) -> List[ClassRef]:
        frame = Frame(mod, mod.model.module, sys.maxsize, (), ())
        scope = self.class_scope(cdef, mod)
        if scope is not None:
            frame = Frame(mod, scope, sys.maxsize, (), ())
        return [v for base in cdef.bases for v in self.values(base, frame) if isinstance(v, ClassRef)]

    def class_scope(self, cdef, mod) -> Optional[Scope]:
        for scope in mod.model.scopes:
            if scope.node is cdef:
                return scope.parent
        return None

    def assigned_at(self, node: ast.Attribute, frame: Frame) -> list:
        """``(expression, frame)`` for every assignment of the attribute ``node`` reads on an
        instance of a project class (``net.opt`` with ``net = Net()``: the ``self.opt = ...`` of
        Net's methods, or of its project bases'; the element of a tuple a function of the module
        returns for ``self.opt, self.loss = build(...)``); a fresh budget, and [] when ``node.value``
        stands for no such instance or it cannot be told."""
        return self._asked(lambda: [pair for value in self.values(node.value, frame) if isinstance(value, Instance)
                                    for pair in self._assignments(value.cls, value.mod, node.attr, value.construction)])

    def _assignments(self, cdef, mod, attr: str, construction: Optional[Construction]) -> list:
        info = mod.model.classes.get(id(cdef))
        if info is None or attr in info.methods:
            return []
        bindings = info.attr_bindings.get(attr)
        if not bindings:
            for base in self.project_bases(cdef, mod):
                return self._assignments(base.node, base.mod, attr, construction)
            return []
        envs = self.init_envs(info, mod, construction)
        found = []
        for binding in bindings:
            if binding.augments:
                continue
            if isinstance(binding, Assignment) and binding.value is not None:
                found.append((binding.value, Frame(mod, binding.scope, binding.seq, binding.blocks, envs)))
            elif isinstance(binding, Unpacking):  # ``self.d_opt, self.g_opt = build_ops(...)``: its element
                found.extend((element, Frame(mod, scope, seq, blocks, envs))
                             for element, scope, seq, blocks in unpacked(binding))
        return found

    def dispatched(self, cdef, mod, name: str) -> List[FunctionRef]:
        """The methods a ``self.name(...)`` call in a method of the project class ``cdef`` (of
        ``mod``) may run, looked up as Python does from the class of ``self``: each class, ``cdef``
        or a subclass of it in ``mod``, whose instances the project visibly makes; ``cdef`` itself
        when it makes none of them.  A fresh budget; [] when no such method is found or it
        cannot be told."""
        def question():
            made = [c for c in [cdef] + self._subclasses(cdef, mod) if self.constructions(c, mod)]
            found: List[FunctionRef] = []
            for cls in made or [cdef]:
                method = self._method(cls, mod, name, 0)
                if method is not None and method not in found:
                    found.append(method)
            return found
        return self._asked(question)

    def _subclasses(self, cdef, mod) -> list:
        """The classes of ``mod`` that have ``cdef`` among their project bases (at any depth)."""
        found: list = []
        for info in mod.model.classes.values():
            pending, seen = [ClassRef(info.node, mod)], set()
            while pending and info.node is not cdef:
                current = pending.pop()
                if id(current.node) in seen:
                    continue
                seen.add(id(current.node))
                bases = self.project_bases(current.node, current.mod)
                if any(base.node is cdef for base in bases):
                    found.append(info.node)
                    break
                pending.extend(bases)
        return found

    def _method(self, cdef, mod, name: str, depth: int) -> Optional[FunctionRef]:
        """The method ``name`` of class ``cdef``: its own, else its project bases' in order."""
        info = mod.model.classes.get(id(cdef))
        if info is None or depth > MAX_DEPTH:
            return None
        if name in info.methods:
            return FunctionRef(info.methods[name].node, mod)
        for base in self.project_bases(cdef, mod):
            method = self._method(base.node, base.mod, name, depth + 1)
            if method is not None:
                return method
        return None


def _handed(call: ast.Call):
    """``(position or keyword, name)`` for each plain name ``call`` passes (before a ``*args``)."""
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if isinstance(arg, ast.Name):
            yield position, arg
    for keyword in call.keywords:
        if keyword.arg is not None and isinstance(keyword.value, ast.Name):
            yield keyword.arg, keyword.value


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None \
        or type(node).__name__ == "NameConstant" and getattr(node, "value", 0) is None


def _is_literal(node) -> bool:
    """A number, string, bytes or boolean literal, or an f-string."""
    return isinstance(node, (ast.Constant, ast.JoinedStr)) \
        or type(node).__name__ in ("Num", "Str", "Bytes", "NameConstant", "Ellipsis")


def _tests_none(test, name: str) -> Optional[bool]:
    """True when ``test`` holds exactly when ``name`` is None (``name is None``, ``not name``),
    False when exactly when it is not (``name is not None``, ``name``); None otherwise."""
    if isinstance(test, ast.Name) and test.id == name:
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _tests_none(test.operand, name)
        return None if inner is None else not inner
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        sides = (test.left, test.comparators[0])
        if any(isinstance(s, ast.Name) and s.id == name for s in sides) and any(_is_none(s) for s in sides):
            return isinstance(test.ops[0], ast.Is)
    return None


def _replaced_when_none(fdef, name: str) -> bool:
    """``fdef`` puts a value of its own where it would put parameter ``name`` when that is None:
    ``name if name is not None else D``, ``name or D``, ``if name is None: name = D``, and
    ``if name is None: self.net = D`` with ``else: self.net = name``."""
    for node in ast.walk(fdef):
        if isinstance(node, ast.IfExp):
            when = _tests_none(node.test, name)
            kept = node.orelse if when else node.body
            if when is not None and _is_name(kept, name):
                return True
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            if _is_name(node.values[0], name):
                return True
        elif isinstance(node, ast.If):
            when = _tests_none(node.test, name)
            if when is None:
                continue
            if_none, if_given = (node.body, node.orelse) if when else (node.orelse, node.body)
            places = {ast.dump(ast.Name(id=name, ctx=ast.Store()))}
            places.update(ast.dump(target) for stmt in if_given if isinstance(stmt, ast.Assign)
                          and _is_name(stmt.value, name) for target in stmt.targets)
            if any(isinstance(stmt, ast.Assign) and not _is_none(stmt.value)
                   and any(ast.dump(target) in places for target in stmt.targets) for stmt in if_none):
                return True
    return False


def _is_name(node, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _module_class_constructor(scope: Scope, module: Scope) -> bool:
    """``scope`` is the ``__init__`` of a class defined at the top level of ``module``."""
    parent = scope.parent
    return scope.is_function and scope.node.name == "__init__" and parent is not None \
        and isinstance(parent.node, ast.ClassDef) and parent.parent is module


def _forwards_everything(fdef) -> bool:
    """``def __init__(self, *args, **kwargs)`` whose body calls ``super().__init__(*args,
    **kwargs)``: it hands on what it was given (less its own keyword-only parameters)."""
    args = fdef.args
    if args.vararg is None or args.kwarg is None or len(args.args) != 1:
        return False
    for stmt in fdef.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__" \
                and isinstance(call.func.value, ast.Call) and isinstance(call.func.value.func, ast.Name) \
                and call.func.value.func.id == "super" \
                and len(call.args) == 1 and isinstance(call.args[0], ast.Starred) \
                and isinstance(call.args[0].value, ast.Name) and call.args[0].value.id == args.vararg.arg \
                and len(call.keywords) == 1 and call.keywords[0].arg is None \
                and isinstance(call.keywords[0].value, ast.Name) and call.keywords[0].value.id == args.kwarg.arg:
            return True
    return False


def _literal(node) -> object:
    """The value of a constant key or index (``"gen"``, ``0``, ``-1``); :data:`_NO_KEY` otherwise."""
    if node is None or not isinstance(node, (ast.Constant, ast.UnaryOp)) \
            and type(node).__name__ not in ("Num", "Str", "Bytes", "NameConstant"):
        return _NO_KEY
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _NO_KEY


def _updates_dict(call: ast.Call, self_name: str) -> bool:
    """``self.__dict__.update(...)``: every keyword of the constructor becomes an attribute."""
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    return isinstance(owner, ast.Attribute) and owner.attr == "__dict__" \
        and isinstance(owner.value, ast.Name) and owner.value.id == self_name


def _run_by_a_test_runner(scope: Scope) -> bool:
    """A ``test*`` function, or a ``test*`` / ``setUp`` method: pytest and unittest call them."""
    name = getattr(scope.node, "name", "")
    return name.startswith("test") or scope.cls is not None and name in ("setUp", "setUpClass")


def _in_test_code(scope: Optional[Scope]) -> bool:
    """Code in a ``test*`` function or ``Test*`` class."""
    while scope is not None:
        node = scope.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test") \
                or isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return True
        scope = scope.parent
    return False
