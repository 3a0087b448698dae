"""The model resolver: where a Keras model is built, and what it runs.

Rule-neutral (it knows Keras layers, not rules).  Given an expression that
stands for a model where it is used, :func:`resolve_model` follows it back to
where the model is built and says what the rules need:

- ``Sequential([...])`` and its ``.add(...)`` calls;
- functional graphs: ``Model(inputs, outputs)`` followed back from the
  outputs through layer calls (``x = BatchNormalization()(x)``), block
  functions, ``base.output`` of another model, lists and operators;
- builder functions and methods that return a model (``self.build()``),
  ``keras.applications`` constructors, models stored on ``self`` in one
  method and used in another;
- subclassed models and custom layers of the project: the layers assigned to
  ``self`` (or appended to a list on ``self``), whether ``call`` reads the
  ``training`` flag, ``self.add_update``; a subclass without ``call`` built
  as ``Subclass(inputs, outputs)`` is followed as a functional model;
- across the project's own modules (absolute, relative and star imports,
  resolved from the analyzed file's location by :mod:`.project`), and
  through parameters: the calls of the enclosing function or constructor in
  this module and in the project's modules that mention it, and functions
  handed to another function as a value (``main(build, train)``, where
  ``main`` calls ``train(build(), ...)``).

Layers are recognised by the qualified name of their class through the
imports (``keras.layers``, ``tensorflow.keras.layers``, ``tf.keras.layers``,
``keras.src...``, ``from keras.layers import *``), never by spelling alone.

Precision first: whatever cannot be followed (a library builder, a hub
layer, a parameter whose callers are not visible, an unknown base class, a
module outside the project) makes the model *unseen* unless a
phase-dependent layer was found anyway.
"""
import ast
import builtins
import itertools
import os
import sys
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

from flake8_learning_phase.core import project
from flake8_learning_phase.core.module import (
    Append,
    Assignment,
    ClassDefinition,
    Element,
    Extend,
    FunctionDefinition,
    Import,
    Parameter,
    Scope,
    Unpacking,
    reaching,
    unpacked,
)
from flake8_learning_phase.core.values import (
    UNSEEN_VALUE,
    ClassRef,
    Construction,
    Foreign,
    Frame,
    FunctionRef,
    Instance,
    LibRef,
    ModuleRef,
    Unseen,
)
from flake8_learning_phase.keras.names import (
    BATCH_NORMALIZATION,
    DROPOUT,
    MODEL_CLASSES,
    RNN,
    TORCH_SAME_MODULE,
    TORCH_WRAPPERS,
    WRAPPERS,
    foreign,
    is_keras_layers_module,
    keras_kind,
    keras_path,
)


class ModelInfo(NamedTuple):
    """What :func:`resolve_model` found out about a model."""

    seen: bool  # False when nothing (or not enough) of the model's construction is visible
    phase_dependent: bool  # runs phase-dependent layers not called with their own explicit training=
    owns_updates: bool  # owns update ops (BatchNormalization) whose statistics are read
    training_position: Optional[int]  # call(self, x, training): the positional index of training (1), else None
    origin: Optional[Tuple[Optional[str], int]] = None  # (path or None for this file, line) where it is built
    # its own ``call(self, x, training=True)``: TF2 Keras and Keras 3 use that default when a call
    # passes no training argument (TF1 graph mode feeds the learning phase instead)
    trains_by_default: bool = False
    # a graph network (Sequential, functional Model, applications model) used as one of its layers:
    # tf.keras 1.x ``model.updates`` then also holds what that network built on its own Input
    nested: bool = False
    # its own ``call`` takes the mode under another name it hands to its layers as ``training=``
    # (``call(self, x, is_training=False)``): a ``training=`` keyword then does not reach them
    flag: Optional[str] = None


UNSEEN = ModelInfo(False, False, False, None, None)
#: ModelInfo.training_position of a model whose own ``call`` takes no positional ``training``
NOT_POSITIONAL = -1

_MAX_DEPTH = 12
_BUDGET = 4000
# The other modules whose calls of a function are followed for its parameters (its own module's
# calls are all followed): past this many, cost would grow with the callers, so the rest are not
# read and the parameter counts as unseen (a phase-dependent layer found in the calls followed
# still counts).  Modules are taken in a stable order: the project's files by path.
MAX_CALLER_MODULES = 4
_MAX_METHOD_CALLS = 50


# -- values --------------------------------------------------------------------------


class KerasCall(NamedTuple):
    """What a call of a Keras name makes (``Dense(4)``, ``Sequential([...])``, ``Input(...)``):
    the name's qualified form, the call, and the frame of its arguments."""

    qualified: str
    call: ast.Call
    frame: Frame
    __eq__ = LibRef.__eq__  # equal only to a KerasCall, as the kinds of core.values
    __ne__ = LibRef.__ne__
    __hash__ = tuple.__hash__


#: One thing an expression may stand for (the kinds of :mod:`..core.values` and Keras calls).
Value = Union[LibRef, ModuleRef, FunctionRef, ClassRef, Instance, KerasCall, Foreign, Unseen]


def _env(frame: Frame, scope: Scope) -> Optional[dict]:
    for key, mapping in frame.envs:
        if key == id(scope):
            return mapping
    return None


class _Facts:
    __slots__ = ("pd", "owns", "opaque", "seen", "position", "origin", "nested", "flag")

    def __init__(self):
        self.flag = None
        self.nested = False
        self.pd = False
        self.owns = False
        self.opaque = False
        self.seen = False
        self.position = None
        self.origin = None

    def info(self) -> ModelInfo:
        seen = self.pd or (self.seen and not self.opaque)
        if not seen:
            # where its own call takes training is known even when what it runs is not
            return UNSEEN._replace(training_position=self.position, flag=self.flag)
        return ModelInfo(True, self.pd, self.owns, self.position, self.origin, nested=self.nested, flag=self.flag)


class Resolver:
    """Resolution state for one analyzed module (memoised; shared by the rules through the context)."""

    def __init__(self, model, path: Optional[str], text: str = ""):
        self.root = project.ModuleInfo(path, model, text)
        self.memo: Dict[tuple, List[Value]] = {}
        self.budget = 0
        self.depth = 0
        self._calls: Dict[int, list] = {}
        self._alive: Dict[int, tuple] = {}
        self._indexes: Dict[str, project.ProjectIndex] = {}  # brought up to date for this analysis
        self._invoked: Dict[tuple, list] = {}  # invocations() by (function, module, depth)
        self._cut: set = set()  # id() of the functions called from more than MAX_CALLER_MODULES modules
        self._imported: Dict[tuple, object] = {}  # project.resolve_absolute by (module, import path)
        self._test_modules: Dict[int, bool] = {}  # project.is_test_or_example by module
        self._answers: Dict[tuple, ModelInfo] = {}  # resolve() by question
        self._builds: Dict[int, List[Value]] = {}  # id(module) -> the networks its builders return

    # -- entry point ---------------------------------------------------------

    def resolve(self, node: ast.expr, scope: Scope, seq: int, blocks: tuple) -> ModelInfo:
        """What the model ``node`` stands for runs (memoised: the rules of a module ask some twice)."""
        key = (id(node), id(scope), seq, blocks)
        if key not in self._answers:
            self._answers[key] = self._resolve(node, scope, seq, blocks)
        return self._answers[key]

    def _resolve(self, node: ast.expr, scope: Scope, seq: int, blocks: tuple) -> ModelInfo:
        self.budget = _BUDGET
        frame = Frame(self.root, scope, seq, blocks, ())
        facts = _Facts()
        try:
            values = self.values(node, frame)
            if not values:
                return UNSEEN
            for value in values:
                self.model_facts(value, facts, set())
            by_default = all(isinstance(value, Instance) and self._trains_by_default(value.cls, value.mod)
                             for value in values)
        except (RecursionError, _OutOfBudget):
            self.memo.clear()  # half-computed entries must not answer later questions
            self._builds.clear()
            return UNSEEN
        info = facts.info()
        return info._replace(trains_by_default=True) if by_default and info.seen else info

    def values_at(self, node: ast.expr, frame: Frame) -> List["Value"]:
        """What ``node`` may stand for in ``frame`` (a fresh budget); [] when it cannot be told."""
        self.budget = _BUDGET
        try:
            return self.values(node, frame)
        except (RecursionError, _OutOfBudget):
            self.memo.clear()  # half-computed entries must not answer later questions
            return []

    def _trains_by_default(self, cdef, mod, depth: int = 0) -> bool:
        """The class's ``call`` (its own, else a project base's) defaults ``training`` to a true literal."""
        info = mod.model.classes.get(id(cdef))
        if info is None or depth > 5:
            return False
        method = info.methods.get("call")
        if method is not None:
            return _true_training_default(method.node)
        bases = self._project_bases(cdef, mod)
        return len(bases) == 1 and self._trains_by_default(bases[0].node, bases[0].mod, depth + 1)

    def _same(self, mod: Optional[project.ModuleInfo]) -> Optional[project.ModuleInfo]:
        """The analyzed module itself when another module's import leads back to its file."""
        if mod is not None and mod.path is not None and self.root.path is not None \
                and os.path.abspath(mod.path) == os.path.abspath(self.root.path):
            return self.root
        return mod

    def _spend(self):
        self.budget -= 1
        if self.budget < 0:
            raise _OutOfBudget()

    # -- what an expression stands for -----------------------------------------------

    def values(self, node, frame: Frame) -> List[Value]:
        if node is None:
            return [UNSEEN_VALUE]
        if frame.envs:
            self._alive[id(frame.envs)] = frame.envs  # keeps ids in memo keys unique
        key = (id(node), id(frame.scope), frame.seq, frame.envs and id(frame.envs))
        if key in self.memo:
            return self.memo[key]
        if self.depth > _MAX_DEPTH:
            return [UNSEEN_VALUE]
        self._spend()
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
            return self.name_values(node.id, frame)
        if isinstance(node, ast.Attribute):
            return self.attribute_values(node, frame)
        if isinstance(node, ast.Call):
            return self.call_values(node, frame)
        if isinstance(node, ast.IfExp):
            return self.values(node.body, frame) + self.values(node.orelse, frame)
        if isinstance(node, ast.Lambda):
            return [Foreign("lambda")]  # a plain function: never a Keras layer or model
        if isinstance(node, ast.Subscript):
            # ``critics[i]``: any element of the list or tuple (displays, appends, parameters)
            return self._elements(node.value, frame, 0) or [UNSEEN_VALUE]
        return [UNSEEN_VALUE]

    def name_values(self, name: str, frame: Frame) -> List[Value]:
        scope = frame.scope
        if scope.self_name == name and scope.cls is not None and scope.lookup(name) is scope:
            return [Instance(scope.cls.node, frame.mod, None)]
        bindings = [b for b in self._reaching(scope, name, frame) if not b.augments]
        if not bindings:
            return self._unbound(name, frame.mod)
        found: List[Value] = []
        for binding in bindings:
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
                found.extend(self._elements(binding.iterable, where, 0) or [UNSEEN_VALUE])
            else:
                found.extend(self._unpacked_values(binding, frame.mod, frame.envs))
        return found

    def _reaching(self, scope: Scope, name: str, frame: Frame) -> list:
        """The bindings of ``name`` that reach its use; for a module name read in a module-level
        function that only module-level code calls, those that reach the calls.

        A script that re-binds ``model = ...`` section by section and calls ``train_step``
        between two bindings runs the step on the earlier model.
        """
        owner = scope.lookup(name)
        fdef = scope.node
        if owner is None or not owner.is_module or owner is scope or scope.parent is not owner \
                or not scope.is_function:
            return reaching(scope, name, frame.seq, frame.blocks)
        calls = owner.calls.get(fdef.name, [])
        mentions = sum(s.reads.get(fdef.name, 0) for s in frame.mod.model.scopes)
        if not calls or mentions != len(calls) or fdef.name in frame.mod.model.attribute_calls:
            return reaching(scope, name, frame.seq, frame.blocks)  # called elsewhere, or handed on
        found: list = []
        for record in calls:
            for binding in reaching(owner, name, record.seq, record.blocks):
                if binding not in found:
                    found.append(binding)
        return found

    def _elements(self, node, frame: Frame, depth: int) -> List[Value]:
        """The elements of what ``for m in node`` iterates: a list or tuple display, a
        comprehension, or a name or ``self`` attribute holding one (appends and extends
        included); unseen for anything else."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return [UNSEEN_VALUE]
            return [v for e in node.elts for v in self.values(e, frame)]  # ``models = []``: appends follow
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.values(node.elt, frame)
        if depth > 3:
            return [UNSEEN_VALUE]
        if isinstance(node, ast.Call):  # a function of the project returning a list
            returned = self._returned(node, frame)
            if returned is None:
                return [UNSEEN_VALUE]
            return [v for expr, where in returned for v in self._elements(expr, where, depth + 1) or [UNSEEN_VALUE]]
        if isinstance(node, ast.Name):
            bindings = reaching(frame.scope, node.id, frame.seq, frame.blocks)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == frame.scope.self_name and frame.scope.cls is not None:
            given = self._constructor_keyword(node, frame)
            if given is not None:
                return [v for expr, where in given for v in self._elements(expr, where, depth + 1) or [UNSEEN_VALUE]]
            bindings = frame.scope.cls.attr_bindings.get(node.attr, [])
        else:
            return [UNSEEN_VALUE]
        found: List[Value] = []
        for binding in bindings:
            where = Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs)
            if isinstance(binding, Append):
                found.extend(self.values(binding.value, where))
            elif isinstance(binding, (Assignment, Extend)) and binding.value is not None:
                found.extend(self._elements(binding.value, where, depth + 1))
            elif isinstance(binding, Parameter) and isinstance(node, ast.Name):
                sources = self._arguments(binding, node.id, frame)
                if sources is None:
                    return [UNSEEN_VALUE]
                for expr, arg_frame in sources:
                    found.extend(self._elements(expr, arg_frame, depth + 1) or [UNSEEN_VALUE])
            else:
                return [UNSEEN_VALUE]
        return found

    def _returned(self, call: ast.Call, frame: Frame):
        """``(expression, frame)`` for every ``return`` of the project functions ``call`` calls;
        None when a callee is not such a function."""
        returned = []
        for callee in self.values(call.func, frame):
            scope = self._function_scope(callee.node, callee.mod) if isinstance(callee, FunctionRef) else None
            if scope is None or not scope.returns:
                return None
            bound = callee.bound is not None
            envs = frame.envs + ((id(scope), self._bind_arguments(callee.node, call, frame, bound)),)
            returned.extend((ret.value, Frame(callee.mod, scope, seq, blocks, envs))
                            for ret, seq, blocks in scope.returns)
        return returned

    def _arguments(self, binding: Parameter, name: str, frame: Frame):
        """The ``(expression, frame)`` pairs the visible calls pass for a parameter; None when unknown."""
        mapping = _env(frame, binding.scope)
        if mapping is not None:
            return mapping.get(name, [])
        facts = _Facts()
        sources = self._parameter_arguments(binding, frame, facts)
        return None if facts.opaque else sources

    def _unpacked_values(self, binding, mod, envs) -> List[Value]:
        """``a, b = build()`` with ``build`` here returning tuples: what element ``a`` is."""
        if not isinstance(binding, Unpacking):
            return [UNSEEN_VALUE]
        elements = unpacked(binding)
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
            returned = self._returned(node, frame)
            if returned is None:
                return [UNSEEN_VALUE]
            for expr, where in returned:
                found.extend(self._element_values(expr, where, index, count, depth + 1))
            return found or [UNSEEN_VALUE]
        if not isinstance(node, ast.Name):
            return [UNSEEN_VALUE]
        for binding in reaching(frame.scope, node.id, frame.seq, frame.blocks):
            if isinstance(binding, Assignment) and binding.value is not None:
                sources = [(binding.value, Frame(frame.mod, binding.scope, binding.seq, binding.blocks, frame.envs))]
            elif isinstance(binding, Parameter):
                sources = self._arguments(binding, node.id, frame)
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
            if not level and is_keras_layers_module(module):
                if name[:1].isupper():
                    return [LibRef(module + "." + name)]
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

    def import_values(self, qualified: str, mod: project.ModuleInfo) -> List[Value]:
        # Keras is known by name, even when the analyzed tree holds its sources (tensorflow's own
        # tests import ``tensorflow.python.keras``, which is then a module of the "project").
        key = (id(mod), qualified)
        if key not in self._imported:  # file-system look-ups, the same all through one analysis
            self._imported[key] = project.resolve_absolute(mod, qualified) \
                if mod.path is not None and keras_path(qualified + ".X") is None else None
        found = self._imported[key]
        if found is None:
            return [LibRef(qualified)]
        target, rest = found
        target = self._same(target)
        if not rest:
            return [ModuleRef(target)]
        values = self.global_values(target, rest[0])
        for attr in rest[1:]:
            values = [v for value in values for v in self._member(value, attr)]
        return values

    def attribute_values(self, node: ast.Attribute, frame: Frame) -> List[Value]:
        given = self._constructor_keyword(node, frame)
        if given is not None:
            return [v for expr, where in given for v in self.values(expr, where)]
        found: List[Value] = []
        for value in self.values(node.value, frame):
            found.extend(self._member(value, node.attr, frame))
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
        mapping = _env(frame, scope)
        if mapping is not None:
            return mapping.get(node.attr)
        found = []
        for call, where, bound in self.invocations(scope.node, frame.mod, scope):
            passed = self._bind_arguments(scope.node, call, where, bound).get(node.attr)
            if passed is None:
                return None
            found.extend(passed)
        return found or None

    def _member(self, value: Value, attr: str, frame: Optional[Frame] = None) -> List[Value]:
        if isinstance(value, LibRef):
            return [LibRef(value.qualified + "." + attr)]
        if isinstance(value, ModuleRef):
            return self.global_values(value.mod, attr)
        if isinstance(value, Instance):
            return self.class_member(value.cls, value.mod, attr, value.construction)
        if isinstance(value, ClassRef):
            return self.class_member(value.node, value.mod, attr, None)
        return [UNSEEN_VALUE]

    def class_member(self, cdef, mod, attr: str, construction: Optional[Construction]) -> List[Value]:
        info = mod.model.classes.get(id(cdef))
        if info is None:
            return [UNSEEN_VALUE]
        if attr in info.methods:
            return [FunctionRef(info.methods[attr].node, mod, Instance(cdef, mod, construction))]
        bindings = info.attr_bindings.get(attr)
        if not bindings:
            for base in self._project_bases(cdef, mod):
                return self.class_member(base.node, base.mod, attr, construction)
            # methods every Keras layer inherits that make a variable, not a layer
            if attr in ("add_weight", "add_variable") and self._keras_based(cdef, mod):
                return [Foreign(attr)]
            return [UNSEEN_VALUE]
        envs = self._init_envs(info, mod, construction)
        found: List[Value] = []
        for binding in bindings:
            if binding.augments:
                continue
            if isinstance(binding, Assignment):
                found.extend(self.values(binding.value, Frame(mod, binding.scope, binding.seq, binding.blocks, envs)))
            else:
                found.extend(self._unpacked_values(binding, mod, envs))
        return found

    def _keras_based(self, cdef, mod, depth: int = 0) -> bool:
        """The class derives from a Keras class (directly or through the project's classes)."""
        if depth > 5:
            return False
        scope = self._class_scope(cdef, mod) or mod.model.module
        frame = Frame(mod, scope, sys.maxsize, (), ())
        for base in cdef.bases:
            for value in self.values(base, frame):
                if isinstance(value, LibRef) and keras_path(value.qualified) is not None \
                        or isinstance(value, ClassRef) and self._keras_based(value.node, value.mod, depth + 1):
                    return True
        return False

    def _init_envs(self, info, mod, construction: Optional[Construction]) -> tuple:
        init = info.methods.get("__init__")
        if init is None or construction is None:
            return ()
        frame = construction.frame
        return frame.envs + ((id(init), self._bind_arguments(init.node, construction.call, frame, True)),)

    def call_values(self, call: ast.Call, frame: Frame) -> List[Value]:
        found: List[Value] = []
        if isinstance(call.func, ast.Attribute) and call.func.attr in TORCH_SAME_MODULE:
            inner = self.values(call.func.value, frame)
            if any(isinstance(v, (KerasCall, Instance)) for v in inner):
                return inner  # model.to(device) is the model
        for callee in self.values(call.func, frame):
            if isinstance(callee, LibRef):
                if keras_kind(callee.qualified):
                    found.append(KerasCall(callee.qualified, call, frame))
                elif callee.qualified in TORCH_WRAPPERS and call.args:
                    found.extend(self.values(call.args[0], frame))  # DDP(model) calls model
                else:
                    found.append(Foreign(callee.qualified) if foreign(callee.qualified) else UNSEEN_VALUE)
            elif isinstance(callee, FunctionRef):
                found.extend(self.returned_values(callee, call, frame))
            elif isinstance(callee, ClassRef):
                found.append(Instance(callee.node, callee.mod, Construction(call, frame)))
            elif isinstance(callee, Foreign):
                found.append(callee)  # what a plain function or a variable maker returns is no layer
            else:
                found.append(UNSEEN_VALUE)
        return found

    def _function_scope(self, fdef, mod) -> Optional[Scope]:
        return mod.model.function_scopes.get(id(fdef))

    def returned_values(self, callee: FunctionRef, call: ast.Call, frame: Frame) -> List[Value]:
        mod = callee.mod
        scope = self._function_scope(callee.node, mod)
        if scope is None or not scope.returns:
            return [UNSEEN_VALUE]
        mapping = self._bind_arguments(callee.node, call, frame, callee.bound is not None)
        envs = frame.envs + ((id(scope), mapping),)
        found: List[Value] = []
        for ret, seq, blocks in scope.returns:
            found.extend(self.values(ret.value, Frame(mod, scope, seq, blocks, envs)))
        return found

    def _bind_arguments(self, fdef, call: ast.Call, frame: Frame, skip_first: bool) -> dict:
        """Parameter name -> [(argument expression, frame)] for one call of ``fdef``."""
        args = fdef.args
        params = [a.arg for a in list(getattr(args, "posonlyargs", [])) + list(args.args)]
        if skip_first and params:
            params = params[1:]
        mapping: Dict[str, list] = {}
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                break
            if index < len(params):
                mapping[params[index]] = [(arg, frame)]
        for keyword in call.keywords:
            if keyword.arg is not None:
                mapping[keyword.arg] = [(keyword.value, frame)]
        return mapping

    # -- parameters: who calls the function --------------------------------------------

    def parameter_values(self, binding: Parameter, frame: Frame) -> List[Value]:
        scope = binding.scope
        name = binding.node.arg
        mapping = _env(frame, scope)
        if mapping is not None:
            if name in mapping:
                return [v for expr, where in mapping[name] for v in self.values(expr, where)]
            return self.values(binding.value, Frame(frame.mod, scope.parent, sys.maxsize, (), frame.envs)) \
                if binding.value is not None else [UNSEEN_VALUE]
        fdef = scope.node
        if not isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [UNSEEN_VALUE]
        found: List[Value] = []
        invocations = self.invocations(fdef, frame.mod, scope)
        if not invocations:
            return self._module_builds(fdef, frame.mod) or [UNSEEN_VALUE]
        for call, where, bound in invocations:
            mapping = self._bind_arguments(fdef, call, where, bound)
            if name in mapping:
                expr, arg_frame = mapping[name][0]
                found.extend(self.values(expr, arg_frame))
            elif any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                found.append(UNSEEN_VALUE)
            elif binding.value is not None:
                found.extend(self.values(binding.value, Frame(frame.mod, scope.parent, sys.maxsize, (), ())))
        if id(fdef) in self._cut:
            found.append(UNSEEN_VALUE)
        return found or [UNSEEN_VALUE]

    def _module_builds(self, fdef, mod: project.ModuleInfo) -> List[Value]:
        """For a parameter no visible call passes: the models the module's own builders return.

        A module that builds its models and trains what it is handed (a GAN library's
        ``build_generator``, ``build_discriminator`` and ``build_functions(generator,
        discriminator)``) is written for those models.  Empty (the parameter stays unseen) when
        the module has no function returning a Keras network, or a builder also returns
        something it cannot see.
        """
        cached = self._builds.get(id(mod))
        if cached is not None:
            return cached
        self._builds[id(mod)] = []  # a builder whose own parameter leads back here adds nothing
        functions = [b for bindings in mod.model.module.bindings.values() for b in bindings
                     if isinstance(b, FunctionDefinition) and b.body.returns]
        found: List[Value] = []
        for binding in functions:
            body = binding.body
            envs = ((id(body), {}),)  # called with nothing known: parameters keep their defaults
            values = [v for ret, seq, blocks in body.returns
                      for v in self.values(ret.value, Frame(mod, body, seq, blocks, envs))]
            networks = [v for v in values if _is_network(v)]
            if networks and len(networks) < len(values):
                found = []
                break
            found.extend(networks)
        self._builds[id(mod)] = found
        return found

    def _parameter_arguments(self, binding: Parameter, frame: Frame, facts: _Facts) -> list:
        """What the visible calls pass for a parameter a traced graph uses; opaque when none can be seen."""
        fdef = binding.scope.node
        found = []
        if isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for call, where, bound in self.invocations(fdef, frame.mod, binding.scope):
                mapping = self._bind_arguments(fdef, call, where, bound)
                if binding.node.arg in mapping:
                    found.extend(mapping[binding.node.arg])
                else:
                    facts.opaque = True
        if not found or id(fdef) in self._cut:
            facts.opaque = True
        return found

    def all_calls(self, mod) -> list:
        cached = self._calls.get(id(mod))
        if cached is None:
            cached = [r for s in mod.model.scopes for records in s.calls.values() for r in records]
            cached += [r for records in mod.model.attribute_calls.values() for r in records]
            self._calls[id(mod)] = cached
        return cached

    def _frame(self, mod, record, envs=()) -> Frame:
        return Frame(mod, record.scope, record.seq, record.blocks, envs)

    def _calls_reaching(self, mod, target_kind: type, target_node, name: str):
        """Calls in ``mod`` whose callee stands for ``target_node``: a def (``target_kind``
        :class:`FunctionRef`) or a class (:class:`ClassRef`) of some module."""
        for record in mod.model.calls_of(name):
            frame = self._frame(mod, record)
            if any(isinstance(v, target_kind) and v.node is target_node for v in self.values(record.node.func, frame)):
                yield record, frame

    def invocations(self, fdef, mod, scope: Scope, depth: int = 0):
        """(call, frame of its arguments, bound to an instance) for every visible call of ``fdef``.

        Calls from tests and examples do not count for code outside them: a library class's
        tests build small models (keras-rl2's DDPG tests use Dense-only actors) while its users
        hand it any model.
        """
        key = (id(fdef), id(mod), depth)
        if key not in self._invoked:  # the same for every question of this analysis
            found = []
            callers = {id(mod)}
            with_tests = self._in_tests(mod, scope)
            # lazily: the project files after the budget's last caller are not even parsed
            for call, frame, bound in self._invocations(fdef, mod, scope, depth):
                if with_tests or not self._in_tests(frame.mod, frame.scope):
                    callers.add(id(frame.mod))
                    if len(callers) > 1 + MAX_CALLER_MODULES:
                        self._cut.add(id(fdef))
                        break
                    found.append((call, frame, bound))
            self._invoked[key] = found
        return self._invoked[key]

    def _in_tests(self, mod, scope: Optional[Scope]) -> bool:
        """Code in a test or example module, or in a ``test*`` function or ``Test*`` class."""
        if id(mod) not in self._test_modules:  # a look at the folders above it: once per analysis
            self._test_modules[id(mod)] = project.is_test_or_example(mod.path)
        return self._test_modules[id(mod)] or _in_test_code(scope)

    def _invocations(self, fdef, mod, scope: Scope, depth: int):
        if scope.cls is not None:
            cls = scope.cls
            for record in cls.attr_calls.get(fdef.name, ()):
                yield record.node, self._frame(mod, record), True
            cdef = cls.node
            if fdef.name == "__init__":
                for other in itertools.chain((mod,), self._importers(mod, cdef.name)):
                    for record, frame in self._calls_reaching(other, ClassRef, cdef, cdef.name):
                        yield record.node, frame, True
                return
            # ``buffer.learn(actors, critics)`` on an instance, here or in a module importing the class
            for other in itertools.chain((mod,), self._importers(mod, cdef.name)):
                records = other.model.attribute_calls.get(fdef.name, ())
                if len(records) > _MAX_METHOD_CALLS:
                    continue  # a name as common as ``get``: the budget is better spent elsewhere
                for record in records:
                    owner = record.node.func.value
                    if isinstance(owner, ast.Name) and owner.id == record.scope.self_name:
                        continue  # ``self.learn(...)``: counted above
                    frame = self._frame(other, record)
                    if any(isinstance(v, Instance) and v.cls is cdef for v in self.values(owner, frame)):
                        yield record.node, frame, True
            return
        for other in itertools.chain((mod,), self._importers(mod, fdef.name)):
            for record, frame in self._calls_reaching(other, FunctionRef, fdef, fdef.name):
                yield record.node, frame, False
        # handed to another function as a value: ``main(build, train)``
        for record in self.all_calls(mod):
            for index, arg in enumerate(record.node.args):
                if isinstance(arg, ast.Name) and arg.id == fdef.name:
                    frame = self._frame(mod, record)
                    if not any(isinstance(v, FunctionRef) and v.node is fdef for v in self.name_values(arg.id, frame)):
                        continue
                    yield from self._calls_of_value(record.node, index, frame, depth)

    def _calls_of_value(self, call, index: int, frame: Frame, depth: int):
        """Calls of the function passed as argument ``index`` of ``call``, inside the callee."""
        if depth > 3:
            return []
        found = []
        for callee in self.values(call.func, frame):
            if not isinstance(callee, FunctionRef):
                continue
            gdef, gmod = callee.node, callee.mod
            gscope = self._function_scope(gdef, gmod)
            if gscope is None:
                continue
            params = [a.arg for a in list(getattr(gdef.args, "posonlyargs", [])) + list(gdef.args.args)]
            if callee.bound is not None:
                params = params[1:]
            if index >= len(params):
                continue
            pname = params[index]
            envs = frame.envs + ((id(gscope), self._bind_arguments(gdef, call, frame, callee.bound is not None)),)
            for record in gscope.calls.get(pname, ()):
                found.append((record.node, self._frame(gmod, record, envs), False))
            for record in self.all_calls(gmod):
                if record.scope is not gscope:
                    continue
                for position, arg in enumerate(record.node.args):
                    if isinstance(arg, ast.Name) and arg.id == pname:
                        found.extend(self._calls_of_value(record.node, position, self._frame(gmod, record, envs),
                                                          depth + 1))
        return found

    def _importers(self, mod, name: str):
        if mod.path is None:
            return
        stem = mod.path.replace("\\", "/").rsplit("/", 1)[-1][:-3]
        if stem == "__init__":
            stem = mod.path.replace("\\", "/").rsplit("/", 2)[-2]
        for other in project.files_mentioning(mod, name, self._indexes):
            if stem in other.text:
                yield other

    # -- what a model runs ------------------------------------------------------------

    def model_facts(self, value: Value, facts: _Facts, visited: set) -> None:
        self._spend()
        if isinstance(value, KerasCall):
            self.keras_facts(value, facts, visited)
        elif isinstance(value, Instance):
            self.class_facts(value.cls, value.mod, value.construction, facts, visited)
        elif isinstance(value, Foreign):
            facts.seen = True  # not Keras: runs no Keras layer in a training mode of its own
        else:
            facts.opaque = True

    def _origin(self, facts: _Facts, node, mod) -> None:
        if facts.origin is None and hasattr(node, "lineno"):
            facts.origin = (None if mod is self.root else mod.path, node.lineno)

    def keras_facts(self, value: KerasCall, facts: _Facts, visited: set) -> None:
        qualified, call, frame = value.qualified, value.call, value.frame
        key = ("keras", id(call), frame.envs and id(frame.envs))
        if key in visited:
            return
        visited.add(key)
        kind = keras_kind(qualified)
        facts.seen = True
        self._origin(facts, call, frame.mod)
        if kind == "applications":
            facts.pd = facts.owns = True
        elif kind == "layer":
            self.layer_facts(qualified, call, frame, facts, visited)
        elif kind == "sequential":
            layers = call.args[0] if call.args else _keyword(call, "layers")
            if layers is not None:
                if isinstance(layers, (ast.List, ast.Tuple)):
                    for element in layers.elts:
                        self.component_facts(element, frame, facts, visited)
                else:
                    # ``Sequential(conv_layers)``: a list kept in a name, an attribute or a parameter
                    for element in self._elements(layers, frame, 0) or [UNSEEN_VALUE]:
                        if not _is_input(element):
                            facts.nested |= _is_network(element)
                            self.model_facts(element, facts, visited)
            for record, where in self._added(call, frame):
                if record.node.args:
                    self.component_facts(record.node.args[0], where, facts, visited)
        elif kind == "model":
            outputs = call.args[1] if len(call.args) > 1 else _keyword(call, "outputs")
            if outputs is None:
                facts.opaque = True
            else:
                self.trace(outputs, frame, facts, visited)

    def _added(self, call, frame: Frame):
        """``m.add(layer)`` calls on the name or ``self`` attribute a Sequential is kept in."""
        kept = frame.mod.model.kept.get(id(call))
        if kept is None or kept.how == "return":
            return
        for record in frame.mod.model.attribute_calls.get("add", ()):
            target = record.node.func.value
            if kept.how == "name" and isinstance(target, ast.Name) and target.id == kept.name \
                    and record.scope is kept.scope:
                yield record, self._frame(frame.mod, record, frame.envs)
            elif kept.how == "attr" and isinstance(target, ast.Attribute) and target.attr == kept.name \
                    and isinstance(target.value, ast.Name) and record.scope.self_name == target.value.id \
                    and record.scope.cls is not None and record.scope.cls is kept.scope.cls:
                yield record, self._frame(frame.mod, record, frame.envs)

    def layer_facts(self, qualified: str, call: ast.Call, frame: Frame, facts: _Facts, visited: set) -> None:
        name = qualified.rpartition(".")[2]
        if name in BATCH_NORMALIZATION:
            facts.pd = facts.owns = True
        elif name in DROPOUT:
            facts.pd = True
        elif name in RNN:
            for keyword in call.keywords:
                if keyword.arg in ("dropout", "recurrent_dropout") and not _is_zero(keyword.value):
                    facts.pd = True
            if name in ("RNN", "StackedRNNCells") and call.args:
                self.component_facts(call.args[0], frame, facts, visited)
        elif name in WRAPPERS:
            inner = call.args[0] if call.args else _keyword(call, "layer")
            if inner is not None:
                self.component_facts(inner, frame, facts, visited)

    def component_facts(self, node, frame: Frame, facts: _Facts, visited: set) -> None:
        """A layer or sub-model given to a Sequential (or wrapped): everything it runs counts."""
        if isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                self.component_facts(element, frame, facts, visited)
            return
        for value in self.values(node, frame):
            if _is_input(value):
                continue
            facts.nested |= _is_network(value)
            self.model_facts(value, facts, visited)

    def trace(self, outputs, frame: Frame, facts: _Facts, visited: set) -> None:
        """Follow a functional model's outputs back through the layer calls that made them."""
        stack = [(outputs, frame)]
        while stack:
            node, where = stack.pop()
            key = ("trace", id(node), id(where.scope), where.seq, where.envs and id(where.envs))
            if key in visited:
                continue
            visited.add(key)
            self._spend()
            if isinstance(node, ast.Call):
                for callee in self.values(node.func, where):
                    if isinstance(callee, (KerasCall, Instance)):
                        if _is_input(callee):
                            continue
                        if not _pinned(node, callee, self):
                            facts.nested |= _is_network(callee)
                            self.model_facts(callee, facts, visited)
                    elif isinstance(callee, FunctionRef):
                        scope = self._function_scope(callee.node, callee.mod)
                        if scope is None or not scope.returns:
                            facts.opaque = True
                            continue
                        if any(key == id(scope) for key, _ in where.envs):
                            # a builder calling itself (a U-Net ``block``): its body is already being
                            # traced, and the arguments of this call are traced below
                            continue
                        mapping = self._bind_arguments(callee.node, node, where, callee.bound is not None)
                        envs = where.envs + ((id(scope), mapping),)
                        for ret, seq, blocks in scope.returns:
                            stack.append((ret.value, Frame(callee.mod, scope, seq, blocks, envs)))
                    elif isinstance(callee, LibRef):
                        if keras_kind(callee.qualified) is not None:
                            continue  # the call builds a layer: its arguments are configuration
                    elif not (isinstance(node.func, ast.Name) and hasattr(builtins, node.func.id)
                              and where.scope.lookup(node.func.id) is None and node.func.id not in where.mod.relative):
                        facts.opaque = True  # (a Python builtin, ``min(n * 2, top)``, makes no layer)
                args = list(node.args) + [k.value for k in node.keywords if k.arg != "training"]
                for arg in args:
                    stack.append((arg.value if isinstance(arg, ast.Starred) else arg, where))
            elif isinstance(node, ast.Name):
                if where.scope.self_name == node.id:
                    continue
                for binding in reaching(where.scope, node.id, where.seq, where.blocks):
                    if isinstance(binding, (Assignment, Append, Extend)) and binding.value is not None:
                        stack.append((binding.value, Frame(where.mod, binding.scope, binding.seq, binding.blocks,
                                                           where.envs)))
                    elif isinstance(binding, Parameter):
                        mapping = _env(where, binding.scope)
                        if mapping is not None and node.id in mapping:
                            stack.extend(mapping[node.id])
                        elif mapping is None:
                            stack.extend(self._parameter_arguments(binding, where, facts))
            elif isinstance(node, ast.Attribute):
                if node.attr in ("output", "outputs"):
                    for value in self.values(node.value, where):
                        self.model_facts(value, facts, visited)
                else:
                    stack.append((node.value, where))
            elif isinstance(node, ast.expr):
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.expr):
                        stack.append((child, where))

    # -- subclassed models and custom layers -----------------------------------------

    def _project_bases(self, cdef, mod) -> List[ClassRef]:
        frame = Frame(mod, mod.model.module, sys.maxsize, (), ())
        scope = self._class_scope(cdef, mod)
        if scope is not None:
            frame = Frame(mod, scope, sys.maxsize, (), ())
        return [v for base in cdef.bases for v in self.values(base, frame) if isinstance(v, ClassRef)]

    def _class_scope(self, cdef, mod) -> Optional[Scope]:
        for scope in mod.model.scopes:
            if scope.node is cdef:
                return scope.parent
        return None

    def class_facts(self, cdef, mod, construction: Optional[Construction], facts: _Facts, visited: set) -> None:
        key = ("class", id(cdef), construction and id(construction.call))
        if key in visited:
            return
        visited.add(key)
        info = mod.model.classes.get(id(cdef))
        if info is None:
            facts.opaque = True
            return
        scope = self._class_scope(cdef, mod) or mod.model.module
        frame = Frame(mod, scope, sys.maxsize, (), ())
        keras_base = None
        project_bases = []
        unknown_base = foreign_base = False
        for base in cdef.bases:
            for value in self.values(base, frame):
                if isinstance(value, LibRef) and keras_path(value.qualified) is not None:
                    keras_base = value.qualified.rpartition(".")[2]
                elif isinstance(value, ClassRef):
                    project_bases.append(value)
                elif isinstance(value, LibRef) and foreign(value.qualified):
                    foreign_base = True
                else:
                    unknown_base = True
        if keras_base is None and not project_bases:
            if foreign_base and not unknown_base:
                facts.seen = True  # a tf.Module or Sonnet module: not a Keras model
            else:
                facts.opaque = True  # not a Keras model or layer we can see
            return
        facts.seen = True
        self._origin(facts, cdef, mod)
        call_method = info.methods.get("call")
        if call_method is not None:
            if facts.position is None:
                facts.position = _training_position(call_method.node)
                facts.flag = _own_flag(call_method.node)
            if _reads_training(call_method.node):
                facts.pd = True
        if "add_update" in info.attr_calls:
            facts.pd = facts.owns = True
        # A Model subclass without ``call`` builds its graph in ``__init__`` (or is built as a
        # functional model): its layer calls there are the model.
        functional = keras_base in MODEL_CLASSES and not self._defines_call(cdef, mod)
        self._sublayer_facts(info, mod, construction, facts, visited, functional)
        for base in project_bases:
            sub = _Facts()
            self.class_facts(base.node, base.mod, construction, sub, visited)
            _merge(facts, sub)
        if unknown_base:
            facts.opaque = True
        if functional:
            self._functional_instances(cdef, mod, construction, facts, visited)

    def _defines_call(self, cdef, mod, depth: int = 0) -> bool:
        info = mod.model.classes.get(id(cdef))
        if info is None or depth > 5:
            return False
        if "call" in info.methods:
            return True
        return any(self._defines_call(b.node, b.mod, depth + 1) for b in self._project_bases(cdef, mod))

    def _functional_instances(self, cdef, mod, construction: Optional[Construction], facts, visited) -> None:
        """A Model subclass without ``call``, built as ``Subclass(inputs, outputs)``."""
        if construction is not None:
            constructions = [construction]
        else:
            constructions = [Construction(record.node, frame) for record, frame in
                             self._calls_reaching(mod, ClassRef, cdef, cdef.name)]
        found = False
        for call, frame in constructions:
            outputs = call.args[1] if len(call.args) > 1 else _keyword(call, "outputs")
            if outputs is not None:
                found = True
                self.trace(outputs, frame, facts, visited)
        if not found:
            facts.opaque = True

    def _sublayer_facts(self, info, mod, construction: Optional[Construction], facts: _Facts, visited: set,
                        functional: bool) -> None:
        envs = self._init_envs(info, mod, construction)
        setup = ("build",) if functional else ("build", "__init__")
        for attr, bindings in info.attr_bindings.items():
            # calls in ``build`` (and ``__init__`` of a layer with its own ``call``) make weights
            # (``self.initializer()``), they do not run the layer on the data
            called = [r for r in info.attr_calls.get(attr, ()) if _method_name(r.scope) not in setup]
            is_list = any(isinstance(b, (Append, Extend)) or isinstance(b.value, (ast.List, ast.Tuple))
                          for b in bindings)
            if not called and not is_list:
                continue
            if called and all(_constant_training(record.node, 1) or _model_sets_mode(record) for record in called):
                continue  # every call pins the phase itself, or takes it from the model (``training=self.flag``)
            for binding in bindings:
                if binding.value is None:
                    facts.opaque = True
                    continue
                frame = Frame(mod, binding.scope, binding.seq, binding.blocks, envs)
                value = binding.value
                if isinstance(binding, Extend) or isinstance(value, (ast.List, ast.Tuple)):
                    if isinstance(value, (ast.List, ast.Tuple)):
                        for element in value.elts:
                            self._sublayer(element, frame, facts, visited)
                    continue
                self._sublayer(value, frame, facts, visited)

    def _sublayer(self, node, frame: Frame, facts: _Facts, visited: set) -> None:
        for value in self.values(node, frame):
            if isinstance(value, (KerasCall, Instance)):
                self.model_facts(value, facts, visited)
            elif isinstance(value, (LibRef, Foreign)):
                continue  # a loss, an optimizer, a function of a library, a tf.Variable
            elif isinstance(value, (FunctionRef, ClassRef, ModuleRef)):
                continue
            else:
                facts.opaque = True


class _OutOfBudget(Exception):
    pass


def _is_network(value: Value) -> bool:
    """A Keras graph network: a Sequential, a functional Model or an applications model."""
    return isinstance(value, KerasCall) and keras_kind(value.qualified) in ("sequential", "model", "applications")


def _is_input(value: Value) -> bool:
    """``Input(shape)``: a placeholder, which runs no layer."""
    return isinstance(value, KerasCall) and keras_kind(value.qualified) == "input"


def _updates_dict(call: ast.Call, self_name: str) -> bool:
    """``self.__dict__.update(...)``: every keyword of the constructor becomes an attribute."""
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    return isinstance(owner, ast.Attribute) and owner.attr == "__dict__" \
        and isinstance(owner.value, ast.Name) and owner.value.id == self_name


def _keyword(call: ast.Call, name: str):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _is_constant(node) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return type(node).__name__ in ("NameConstant", "Num")


def _is_zero(node) -> bool:
    # Python 3.7's Num keeps its value in ``n``; ``Constant.n`` is gone in 3.14.
    value = node.n if type(node).__name__ == "Num" else getattr(node, "value", None)
    return _is_constant(node) and (value == 0 or value is None or value is False)


def _constant_training(call: ast.Call, position: Optional[int]) -> bool:
    """The call passes a literal training flag (``training=True``, ``training=0``, or positionally)."""
    flag = _keyword(call, "training")
    if flag is None and position is not None and 0 <= position < len(call.args):
        flag = call.args[position]
    return flag is not None and _is_constant(flag)


def _pinned(call: ast.Call, callee: Value, resolver: Resolver) -> bool:
    """A layer or model applied with its own literal training flag."""
    position = None
    if isinstance(callee, KerasCall):
        name = callee.qualified.rpartition(".")[2]
        if name in BATCH_NORMALIZATION or name in DROPOUT:
            position = 1
    elif isinstance(callee, Instance):
        info = callee.mod.model.classes.get(id(callee.cls))
        method = info.methods.get("call") if info is not None else None
        if method is not None:
            position = _training_position(method.node)
    return _constant_training(call, position)


def _training_position(fdef) -> Optional[int]:
    """The positional index of ``training`` in ``call(self, ...)``; :data:`NOT_POSITIONAL` when
    ``call`` takes no positional flag (``call(self, a, b)``: a second argument is data), None
    when it cannot be told (``*args``)."""
    params = [a.arg for a in list(getattr(fdef.args, "posonlyargs", [])) + list(fdef.args.args)]
    flag = _own_flag(fdef) or "training"
    if flag in params[1:]:
        return params.index(flag) - 1
    return None if fdef.args.vararg is not None else NOT_POSITIONAL


def _own_flag(fdef) -> Optional[str]:
    """The parameter other than ``training`` that ``call`` hands its layers as ``training=``
    (``call(self, x, is_training=False)`` with ``self.bn(x, training=is_training)``); None when
    ``call`` takes ``training`` itself, or hands on no parameter."""
    params = [a.arg for a in list(getattr(fdef.args, "posonlyargs", [])) + list(fdef.args.args)
              + list(fdef.args.kwonlyargs)][1:]
    if "training" in params:
        return None
    for node in ast.walk(fdef):
        if isinstance(node, ast.Call):
            flag = _keyword(node, "training")
            if isinstance(flag, ast.Name) and flag.id in params:
                return flag.id
    return None


def _model_sets_mode(record) -> bool:
    """A sub-layer call whose ``training=`` the model sets itself (``training=self.is_training``,
    a flag the program sets before training and evaluation): the mode of the model's own call
    does not reach that layer."""
    flag = _keyword(record.node, "training")
    if flag is None or isinstance(flag, ast.Name):
        return False  # a name may be ``call``'s own flag, handed on
    return not any(isinstance(n, ast.Name) and n.id == "training" for n in ast.walk(flag))


def _in_test_code(scope: Optional[Scope]) -> bool:
    """Code in a ``test*`` function or ``Test*`` class."""
    while scope is not None:
        node = scope.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test") \
                or isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return True
        scope = scope.parent
    return False


def _method_name(scope: Scope) -> Optional[str]:
    """The name of the method ``scope`` is (or is nested in), None outside a class."""
    while scope is not None and scope.cls is None:
        scope = scope.parent
    return getattr(scope.node, "name", None) if scope is not None else None


def _true_training_default(fdef) -> bool:
    """``def call(self, x, training=True)`` (or ``=1``)."""
    args = fdef.args
    positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return any(a.arg == "training" and _is_constant(d) and not _is_zero(d) for a, d in pairs)


def _reads_training(fdef) -> bool:
    """``call`` uses its ``training`` flag other than by handing it to a sub-layer."""
    if not any(a.arg == "training" for a in list(fdef.args.args) + list(fdef.args.kwonlyargs)):
        return False
    handed = set()
    for node in ast.walk(fdef):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "training" and isinstance(keyword.value, ast.Name):
                    handed.add(id(keyword.value))
            if len(node.args) > 1 and isinstance(node.args[1], ast.Name) and node.args[1].id == "training":
                handed.add(id(node.args[1]))
        elif _tells_false_apart(node):
            # ``if training is not False: dropout``: a call without the flag (None) already trains
            handed.add(id(node.left))
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and node.id == "training" and isinstance(node.ctx, ast.Load) \
                and id(node) not in handed:
            return True
    return False


def _tells_false_apart(node) -> bool:
    """``training is not False`` (``is False``, ``!= False``, ``== False``): None goes with True."""
    return isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "training" \
        and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)) \
        and _is_constant(node.comparators[0]) and getattr(node.comparators[0], "value", None) is False


def _merge(facts: _Facts, other: _Facts) -> None:
    facts.pd = facts.pd or other.pd
    facts.owns = facts.owns or other.owns
    facts.opaque = facts.opaque or other.opaque
    facts.seen = facts.seen or other.seen
    facts.nested = facts.nested or other.nested
    if facts.position is None:
        facts.position = other.position
    if facts.origin is None:
        facts.origin = other.origin
    if facts.flag is None:
        facts.flag = other.flag


def resolver(context) -> Resolver:
    """The module's resolver (one per analyzed module, shared by every rule)."""
    return context.shared(Resolver, lambda c: Resolver(c.model, getattr(c, "path", None), "".join(c.lines)))


def resolve_model(context, node: ast.expr, scope: Scope, seq: int = sys.maxsize, blocks: tuple = ()) -> ModelInfo:
    """What the model ``node`` stands for (where it is used: ``scope``, ``seq``, ``blocks``) runs.

    ``context`` is the rule's :class:`~flake8_learning_phase.core.engine.RuleContext`
    (its module model and ``path``).  Returns :data:`UNSEEN` when nothing
    certain can be said.
    """
    return resolver(context).resolve(node, scope, seq, blocks)
