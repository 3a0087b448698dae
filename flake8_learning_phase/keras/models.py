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
- across the project's own modules and through parameters, as the core's
  evaluator (:mod:`flake8_learning_phase.core.evaluator`) follows every
  expression: :class:`Resolver` is that evaluator told what Keras names make
  (a layer or model call, a torch wrapper, a variable maker), plus the facts
  above.

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
import sys
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

from flake8_learning_phase.core import project
from flake8_learning_phase.core.evaluator import BUDGET, Arguments, Evaluator, OutOfBudget, known_arguments
from flake8_learning_phase.core.module import (Append, Assignment, Extend, FunctionDefinition, ItemAssignment,
                                               Parameter, Scope, Unpacking, reaching)
from flake8_learning_phase.core.returns import reachable_returns
from flake8_learning_phase.core.signatures import keyword_value, parameter_names, positional_parameters
from flake8_learning_phase.core.values import (NONE_VALUE, UNSEEN_VALUE, ClassRef, Construction, Foreign, Frame, FunctionRef,
                                               Instance, LambdaRef, LibRef, Literal, ModuleRef, compared_by_kind)
from flake8_learning_phase.core.values import Value as CoreValue
from flake8_learning_phase.keras.names import (
    BATCH_NORMALIZATION,
    DROPOUT,
    FROZEN_UNLESS_TRAINABLE,
    MODEL_CLASSES,
    RNN,
    STRATEGY_RUNS,
    TF_MODULES,
    TORCH_SAME_MODULE,
    TORCH_WRAPPERS,
    WRAPPERS,
    foreign,
    has_weights,
    is_checkpoint_loader,
    is_keras_layers_module,
    is_model_copier,
    keras_kind,
    keras_path,
    phase_free_library_layer,
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
    # it has weights of its own (a Dense, a Conv, ...): a train op whose var_list leaves them out
    # does not train it
    owns_weights: bool = False
    # its call takes a training flag: False for a plain class whose ``__call__(self, x)`` takes none
    # (no ``training``, no ``**kwargs``, no flag of its own), where adding ``training=True`` raises
    takes_flag: bool = True


UNSEEN = ModelInfo(False, False, False, None, None)
#: ModelInfo.training_position of a model whose own ``call`` takes no positional ``training``
NOT_POSITIONAL = -1


# -- values --------------------------------------------------------------------------


@compared_by_kind  # equal only to a KerasCall, as the kinds of core.values
class KerasCall(NamedTuple):
    """What a call of a Keras name makes (``Dense(4)``, ``Sequential([...])``, ``Input(...)``):
    the name's qualified form, the call, and the frame of its arguments."""

    qualified: str
    call: ast.Call
    frame: Frame


#: One thing an expression may stand for (the kinds of :mod:`..core.values` and Keras calls).
Value = Union[CoreValue, KerasCall]


class _Facts:
    __slots__ = ("pd", "owns", "opaque", "seen", "position", "origin", "nested", "flag", "weights", "takes_flag")

    def __init__(self):
        self.takes_flag = True
        self.weights = False
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
            return UNSEEN._replace(training_position=self.position, flag=self.flag, takes_flag=self.takes_flag)
        return ModelInfo(True, self.pd, self.owns, self.position, self.origin, nested=self.nested, flag=self.flag,
                         owns_weights=self.weights, takes_flag=self.takes_flag)


class Resolver(Evaluator):
    """What a Keras model runs, for one analyzed module (memoised; shared by the rules through
    the context): the evaluator, told what Keras names make."""

    def __init__(self, model, path: Optional[str], text: str = ""):
        super().__init__(model, path, text)
        self._answers: Dict[tuple, ModelInfo] = {}  # resolve() by question
        self._builds: Dict[int, List[Value]] = {}  # id(module) -> the networks its builders return
        self._unfreezes: Dict[int, bool] = {}  # id(module) -> it sets some ``.trainable`` to True

    # -- what Keras names make (the evaluator's library hooks) ------------------------

    def library_call(self, callee: LibRef, call: ast.Call, frame: Frame) -> List[Value]:
        if keras_kind(callee.qualified) or is_checkpoint_loader(callee.qualified):
            return [KerasCall(callee.qualified, call, frame)]
        if is_model_copier(callee.qualified):
            # its layers are the argument's, unless a ``clone_function`` makes others
            source = call.args[0] if call.args else keyword_value(call, "model")
            if source is None or isinstance(source, ast.Starred) or keyword_value(call, "clone_function") is not None \
                    or len(call.args) > 2:
                return [UNSEEN_VALUE]
            return self.values(source, frame)
        if callee.qualified in TORCH_WRAPPERS and call.args:
            return self.values(call.args[0], frame)  # DDP(model) calls model
        if callee.qualified in FROZEN_UNLESS_TRAINABLE and self._frozen(call, frame) \
                or phase_free_library_layer(callee.qualified):
            return [Foreign(callee.qualified)]  # the flag never reaches a frozen hub layer, or changes nothing
        return [Foreign(callee.qualified) if foreign(callee.qualified) else UNSEEN_VALUE]

    def _frozen(self, call: ast.Call, frame: Frame) -> bool:
        """Made not trainable (``trainable`` not given, or False), and its module never sets a
        ``.trainable`` to anything but False afterwards (fine-tuning unfreezes it)."""
        given = keyword_value(call, "trainable")
        if given is not None and not all(isinstance(v, Literal) and v.value is False
                                         for v in self.values(given, frame) or [UNSEEN_VALUE]):
            return False
        unfreezes = self._unfreezes.get(id(frame.mod))
        if unfreezes is None:
            unfreezes = self._unfreezes[id(frame.mod)] = _sets_trainable(frame.mod.model.tree)
        return not unfreezes

    def same_object(self, call: ast.Call, frame: Frame) -> Optional[List[Value]]:
        if isinstance(call.func, ast.Attribute) and call.func.attr in TORCH_SAME_MODULE:
            inner = self.values(call.func.value, frame)
            if any(isinstance(v, (KerasCall, Instance)) for v in inner):
                return inner  # model.to(device) is the model
        return None

    def library_owned(self, qualified: str) -> bool:
        return keras_path(qualified + ".X") is not None

    def runs_handed_function(self, call: ast.Call) -> bool:
        # a distribution strategy's ``run(step_fn, args=...)`` (``experimental_run_v2`` in TF 2.0/2.1)
        return isinstance(call.func, ast.Attribute) and call.func.attr in STRATEGY_RUNS

    def star_import_values(self, module: str, name: str) -> Optional[List[Value]]:
        if not is_keras_layers_module(module):
            return None
        return [LibRef(module + "." + name)] if name[:1].isupper() else []

    def inherited_member(self, cdef: ast.ClassDef, mod: project.ModuleInfo, attr: str) -> List[Value]:
        # methods every Keras layer inherits that make a variable, not a layer
        if attr in ("add_weight", "add_variable") and self.keras_based(cdef, mod):
            return [Foreign(attr)]
        # a subclass of a plain library class (``class Parser(argparse.ArgumentParser)``): its
        # inherited methods are the library's, which make no layer
        frame = Frame(mod, self.class_scope(cdef, mod) or mod.model.module, sys.maxsize, (), ())
        bases = [value for base in cdef.bases for value in self.values(base, frame)]
        if bases and all(isinstance(value, LibRef) and foreign(value.qualified) for value in bases):
            return [Foreign(bases[0].qualified + "." + attr)]
        return [UNSEEN_VALUE]

    # -- what a model runs ------------------------------------------------------------

    def resolve(self, node: ast.expr, scope: Scope, seq: int, blocks: tuple) -> ModelInfo:
        """What the model ``node`` stands for runs (memoised: the rules of a module ask some twice)."""
        key = (id(node), id(scope), seq, blocks)
        if key not in self._answers:
            self._answers[key] = self._resolve(node, scope, seq, blocks)
        return self._answers[key]

    def _resolve(self, node: ast.expr, scope: Scope, seq: int, blocks: tuple) -> ModelInfo:
        self.budget = BUDGET
        frame = Frame(self.root, scope, seq, blocks, ())
        facts = _Facts()
        try:
            # ``self.model = None`` beside ``self.model = build()``: None is never the model that
            # runs; a name that holds only None is set where it cannot be seen (``global model``)
            values = [value for value in self.values(node, frame) if value != NONE_VALUE]
            if not values:
                return UNSEEN
            built = [value for value in values if not _is_checkpoint(value)]
            if built:
                # ``self.actor = load_model(path)`` beside ``self.actor = build_actor()``: the file is
                # taken to be a checkpoint of the model the code builds (saved by it, or by its twin)
                values = built
            for value in values:
                self.model_facts(value, facts, set())
            by_default = all(isinstance(value, Instance) and self._trains_by_default(value.cls, value.mod)
                             for value in values)
        except (RecursionError, OutOfBudget):
            self.memo.clear()  # half-computed entries must not answer later questions
            self._builds.clear()
            return UNSEEN
        info = facts.info()
        # a ``call`` that defaults ``training`` to True runs its layers in training mode when no
        # flag is passed, whatever they are (a layer it cannot see included)
        return info._replace(trains_by_default=True) if by_default else info

    def _trains_by_default(self, cdef, mod, depth: int = 0) -> bool:
        """The class's ``call`` (its own, else a project base's) defaults ``training`` to a true literal."""
        info = mod.model.classes.get(id(cdef))
        if info is None or depth > 5:
            return False
        method = info.methods.get("call")
        if method is not None:
            return _true_training_default(method.node)
        bases = self.project_bases(cdef, mod)
        return len(bases) == 1 and self._trains_by_default(bases[0].node, bases[0].mod, depth + 1)

    def keras_based(self, cdef, mod, depth: int = 0) -> bool:
        """The class derives from a Keras class (directly or through the project's classes)."""
        if depth > 5:
            return False
        scope = self.class_scope(cdef, mod) or mod.model.module
        frame = Frame(mod, scope, sys.maxsize, (), ())
        for base in cdef.bases:
            for value in self.values(base, frame):
                if isinstance(value, LibRef) and keras_path(value.qualified) is not None \
                        or isinstance(value, ClassRef) and self.keras_based(value.node, value.mod, depth + 1):
                    return True
        return False

    def _superseded(self, fdef, mod: project.ModuleInfo) -> bool:
        """The function, or the class whose method it is, is bound again later in the scope that
        defines it (``class Trainer`` written twice)."""
        scope = self.function_scope(fdef, mod)
        node = scope.cls.node if scope is not None and scope.cls is not None else fdef
        owner = self.class_scope(node, mod) if node is not fdef else (scope.parent if scope is not None else None)
        if owner is None:
            return False
        bindings = owner.bindings.get(node.name, [])
        defined = [b.seq for b in bindings if b.node is node]
        return bool(defined) and any(b.seq > defined[0] and not b.augments for b in bindings)

    def unpassed_parameter(self, fdef, mod: project.ModuleInfo) -> List[Value]:
        """For a parameter no visible call passes: the models the module's own builders return.

        A module that builds its models and trains what it is handed (a GAN library's
        ``build_generator``, ``build_discriminator`` and ``build_functions(generator,
        discriminator)``) is written for those models.  Empty (the parameter stays unseen) when
        the module has no function returning a Keras network, or a builder also returns
        something it cannot see, and for a definition a later one of the same name replaces (a
        notebook's class cell edited and run again: the calls are the new definition's).
        """
        if self._superseded(fdef, mod):
            return []
        cached = self._builds.get(id(mod))
        if cached is not None:
            return cached
        self._builds[id(mod)] = []  # a builder whose own parameter leads back here adds nothing
        functions = [b for bindings in mod.model.module.bindings.values() for b in bindings
                     if isinstance(b, FunctionDefinition) and b.body.returns]
        found: List[Value] = []
        for binding in functions:
            body = binding.body
            envs = ((id(body), Arguments()),)  # called with nothing known: parameters keep their defaults
            values = [v for ret, seq, blocks in body.returns
                      for v in self.values(ret.value, Frame(mod, body, seq, blocks, envs))]
            networks = [v for v in values if _is_network(v)]
            if networks and len(networks) < len(values):
                found = []
                break
            found.extend(networks)
        self._builds[id(mod)] = found
        return found

    def model_facts(self, value: Value, facts: _Facts, visited: set) -> None:
        self.spend()
        if _is_checkpoint(value):
            facts.opaque = True  # what a loaded file runs is not in the code
        elif isinstance(value, KerasCall):
            self.keras_facts(value, facts, visited)
        elif isinstance(value, Instance):
            self.class_facts(value.cls, value.mod, value.construction, facts, visited)
        elif isinstance(value, (Foreign, Literal)):
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
            facts.pd = facts.owns = facts.weights = True
        elif kind == "layer":
            self.layer_facts(qualified, call, frame, facts, visited)
        elif kind == "sequential":
            layers = call.args[0] if call.args else keyword_value(call, "layers")
            if layers is not None:
                if isinstance(layers, (ast.List, ast.Tuple)):
                    self.component_facts(layers, frame, facts, visited)
                else:
                    # ``Sequential(conv_layers)``: a list kept in a name, an attribute or a parameter
                    for element in self.elements(layers, frame, 0) or [UNSEEN_VALUE]:
                        if not _is_input(element):
                            facts.nested |= _is_network(element)
                            self.model_facts(element, facts, visited)
            for record, where in self._added(call, frame):
                if record.node.args and self.reached(where):  # not ``if dropout: m.add(Dropout(.5))`` never run
                    self.component_facts(record.node.args[0], where, facts, visited)
        elif kind == "model":
            outputs = call.args[1] if len(call.args) > 1 else keyword_value(call, "outputs")
            if outputs is None:
                facts.opaque = True
            else:
                self.trace(outputs, frame, facts, visited)

    def _added(self, call, frame: Frame):
        """``m.add(layer)`` calls on the name or ``self`` attribute a Sequential is kept in, while
        it holds this Sequential: a notebook that re-binds ``model = Sequential()`` for its next
        section adds those layers to the new model, not to the one trained before."""
        kept = frame.mod.model.kept.get(id(call))
        if kept is None or kept.how == "return":
            return
        for record in frame.mod.model.attribute_calls.get("add", ()):
            target = record.node.func.value
            if kept.how == "name" and isinstance(target, ast.Name) and target.id == kept.name \
                    and record.scope is kept.scope and _holds(call, reaching(
                        record.scope, kept.name, record.seq, record.blocks)):
                yield record, self.frame_of(frame.mod, record, frame.envs)
            elif kept.how == "attr" and isinstance(target, ast.Attribute) and target.attr == kept.name \
                    and isinstance(target.value, ast.Name) and record.scope.self_name == target.value.id \
                    and record.scope.cls is not None and record.scope.cls is kept.scope.cls \
                    and _holds(call, _set_before(record, record.scope.cls.attr_bindings.get(kept.name, ()))):
                yield record, self.frame_of(frame.mod, record, frame.envs)

    def layer_facts(self, qualified: str, call: ast.Call, frame: Frame, facts: _Facts, visited: set) -> None:
        name = qualified.rpartition(".")[2]
        facts.weights |= has_weights(name)
        if name in BATCH_NORMALIZATION:
            facts.pd = facts.owns = True
        elif name in DROPOUT:
            rate = call.args[0] if call.args else keyword_value(call, "rate") or keyword_value(call, "stddev")
            if not self._always_zero(rate, frame):
                facts.pd = True
        elif name in RNN:
            for keyword in call.keywords:
                if keyword.arg in ("dropout", "recurrent_dropout") and not self._always_zero(keyword.value, frame):
                    facts.pd = True
            if name in ("RNN", "StackedRNNCells") and call.args:
                self.component_facts(call.args[0], frame, facts, visited)
        elif name in WRAPPERS:
            inner = call.args[0] if call.args else keyword_value(call, "layer")
            if inner is not None:
                self.component_facts(inner, frame, facts, visited)

    def _always_zero(self, node, frame: Frame) -> bool:
        """A rate that is 0 wherever it comes from (``Dropout(0.0)``, ``Dropout(rate=drop)`` with
        ``drop=0.0`` a default no call changes): such a layer does the same in both modes."""
        if node is None or isinstance(node, ast.Starred):
            return False
        values = self.values(node, frame)
        return bool(values) and all(isinstance(v, Literal) and v.value == 0 for v in values)

    def component_facts(self, node, frame: Frame, facts: _Facts, visited: set) -> None:
        """A layer or sub-model given to a Sequential (or wrapped): everything it runs counts."""
        if isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:  # ``*[make_rnn(d) for _ in range(n)]``: the layers it unpacks
                self.component_facts(element.value if isinstance(element, ast.Starred) else element, frame, facts,
                                     visited)
            return
        values = self.values(node, frame)
        if UNSEEN_VALUE in values:
            # a list of layers kept in a name or attribute (``RNN(self.cells)``): its elements
            elements = self.elements(node, frame, 0)
            if elements and UNSEEN_VALUE not in elements:
                values = elements
        for value in values:
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
            self.spend()
            if _reads_shape(node):
                continue  # ``c = x.shape.as_list()[-1]`` in ``tf.reshape(z, [-1, c])``: a number, no layer
            if isinstance(node, ast.Call):
                for callee in self.values(node.func, where):
                    if isinstance(callee, (KerasCall, Instance)):
                        if _is_input(callee):
                            continue
                        if not _pinned(node, callee, self):
                            facts.nested |= _is_network(callee)
                            self.model_facts(callee, facts, visited)
                    elif isinstance(callee, FunctionRef):
                        scope = self.function_scope(callee.node, callee.mod)
                        if scope is None or not scope.returns:
                            facts.opaque = True
                            continue
                        if any(key == id(scope) for key, _ in where.envs):
                            # a builder calling itself (a U-Net ``block``): its body is already being
                            # traced, and the arguments of this call are traced below
                            continue
                        mapping = self.bind_arguments(callee.node, node, where, callee.bound is not None)
                        envs = where.envs + ((id(scope), mapping),)
                        for ret, seq, blocks in reachable_returns(callee.node, node, mapping, scope.returns,
                                                                  self.values):
                            stack.append((ret.value, Frame(callee.mod, scope, seq, blocks, envs)))
                    elif isinstance(callee, LambdaRef):
                        stack.append((callee.node.body, callee.frame))  # ``act = lambda t: ...``, then ``act(x)``
                    elif isinstance(callee, LibRef):
                        if keras_kind(callee.qualified) is not None:
                            continue  # the call builds a layer: its arguments are configuration
                    elif isinstance(callee, (Foreign, Literal)):
                        continue  # ``parser.parse_args()``, ``np.clip``: a plain object's method makes no layer
                    elif not (isinstance(node.func, ast.Name) and hasattr(builtins, node.func.id)
                              and where.scope.lookup(node.func.id) is None and node.func.id not in where.mod.relative):
                        facts.opaque = True  # (a Python builtin, ``min(n * 2, top)``, makes no layer)
                args = list(node.args) + [k.value for k in node.keywords if k.arg != "training"]
                for arg in args:
                    stack.append((arg.value if isinstance(arg, ast.Starred) else arg, where))
            elif isinstance(node, ast.Name):
                if where.scope.self_name == node.id:
                    continue
                for binding in self.live(reaching(where.scope, node.id, where.seq, where.blocks), where):
                    if isinstance(binding, (Assignment, Append, Extend, Unpacking)) and binding.value is not None:
                        # ``coarse, fine = trunk(x)``: an output of the sub-model the whole call runs
                        stack.append((binding.value, Frame(where.mod, binding.scope, binding.seq, binding.blocks,
                                                           where.envs)))
                    elif isinstance(binding, Parameter):
                        mapping = known_arguments(where, binding.scope)
                        if mapping is not None and node.id in mapping:
                            stack.extend(mapping[node.id])
                        elif mapping is None:
                            passed = self.passed_arguments(binding, where)
                            facts.opaque = facts.opaque or not passed.complete
                            stack.extend(passed.sources)
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

    def class_facts(self, cdef, mod, construction: Optional[Construction], facts: _Facts, visited: set) -> None:
        key = ("class", id(cdef), construction and id(construction.call))
        if key in visited:
            return
        visited.add(key)
        info = mod.model.classes.get(id(cdef))
        if info is None:
            facts.opaque = True
            return
        scope = self.class_scope(cdef, mod) or mod.model.module
        frame = Frame(mod, scope, sys.maxsize, (), ())
        keras_base = None
        project_bases = []
        unknown_base = foreign_base = module_base = False
        for base in cdef.bases:
            if isinstance(base, ast.Name) and base.id == "object" and frame.scope.lookup("object") is None:
                continue  # ``class Net(object)``: a plain class, as with no base
            for value in self.values(base, frame):
                if isinstance(value, LibRef) and keras_path(value.qualified) is not None:
                    keras_base = value.qualified.rpartition(".")[2]
                elif isinstance(value, ClassRef):
                    project_bases.append(value)
                elif isinstance(value, LibRef) and foreign(value.qualified):
                    foreign_base = True
                    module_base = module_base or value.qualified in TF_MODULES
                else:
                    unknown_base = True
        if keras_base is None and not project_bases:
            if not unknown_base and "__call__" in info.methods and (module_base or not foreign_base):
                # a plain class, or a tf.Module, that runs what it keeps
                self._plain_callable_facts(info, mod, construction, facts, visited)
            elif foreign_base and not unknown_base:
                facts.seen = True  # a Sonnet or TensorLayer module: not a Keras model
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

    def _plain_callable_facts(self, info, mod, construction: Optional[Construction], facts: _Facts,
                              visited: set) -> None:
        """A plain class of the project with a ``__call__`` (``class Net(object)`` keeping its
        Dense layers in ``self.layers`` and running them): what it runs is the layers it keeps,
        and the Keras models its ``__call__`` calls by name (their training arguments as for
        a Keras subclass's sub-layers).  Where its ``__call__`` takes the flag, and whether one
        given to its call reaches a layer at all."""
        method = info.methods["__call__"]
        if facts.position is None:
            facts.position = _training_position(method.node)
            facts.flag = _own_flag(method.node)
            facts.takes_flag = facts.flag is not None or _hands_on_training(method.node)
        sub = _Facts()
        self._sublayer_facts(info, mod, construction, sub, visited, False)
        for records in method.calls.values():
            for record in records:
                frame = Frame(mod, record.scope, record.seq, record.blocks, ())
                for value in self.values(record.node.func, frame):
                    if isinstance(value, (KerasCall, Instance)):
                        self.model_facts(value, sub, visited)
        facts.seen = True
        self._origin(facts, info.node, mod)
        facts.pd, facts.owns, facts.opaque = facts.pd or sub.pd, facts.owns or sub.owns, facts.opaque or sub.opaque

    def _defines_call(self, cdef, mod, depth: int = 0) -> bool:
        info = mod.model.classes.get(id(cdef))
        if info is None or depth > 5:
            return False
        if "call" in info.methods:
            return True
        return any(self._defines_call(b.node, b.mod, depth + 1) for b in self.project_bases(cdef, mod))

    def _functional_instances(self, cdef, mod, construction: Optional[Construction], facts, visited) -> None:
        """A Model subclass without ``call``, built as ``Subclass(inputs, outputs)``."""
        if construction is not None:
            constructions = [construction]
        else:
            constructions = self.constructions(cdef, mod)
        found = False
        for call, frame in constructions:
            outputs = call.args[1] if len(call.args) > 1 else keyword_value(call, "outputs")
            if outputs is not None:
                found = True
                self.trace(outputs, frame, facts, visited)
        if not found:
            facts.opaque = True

    def _sublayer_facts(self, info, mod, construction: Optional[Construction], facts: _Facts, visited: set,
                        functional: bool) -> None:
        envs = self.init_envs(info, mod, construction)
        setup = ("build",) if functional else ("build", "__init__")
        for attr, bindings in info.attr_bindings.items():
            # calls in ``build`` (and ``__init__`` of a layer with its own ``call``) make weights
            # (``self.initializer()``), they do not run the layer on the data; calls in the
            # training and test steps run around ``self(x)``, not in it (an augmentation)
            called = [r for r in info.attr_calls.get(attr, ())
                      if _method_name(r.scope) not in setup and _method_name(r.scope) not in _STEP_METHODS]
            # layers kept in a container (``self.blocks = [Dense(u) for u in units]``) run when
            # the container is iterated or indexed, not called
            is_list = any(isinstance(b, (Append, Extend, ItemAssignment)) or _is_container(b.value)
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
                if isinstance(binding, Extend) and not isinstance(binding.value, (ast.List, ast.Tuple)):
                    continue
                self._sublayer_node(binding.value, frame, facts, visited)

    def _sublayer_node(self, node, frame: Frame, facts: _Facts, visited: set) -> None:
        """The layers an attribute's value holds: itself, or the elements of displays (nested
        ones too: ``self.logs = {"loss": []}`` holds no layer) and comprehensions."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                self._sublayer_node(element.value if isinstance(element, ast.Starred) else element, frame, facts,
                                    visited)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                self._sublayer_node(value, frame, facts, visited)
        elif _is_container(node):
            self._sublayer_values(self.elements(node, frame, 0, keyed=True) or [UNSEEN_VALUE], facts, visited)
        else:
            self._sublayer(node, frame, facts, visited)

    def _sublayer(self, node, frame: Frame, facts: _Facts, visited: set) -> None:
        self._sublayer_values(self.values(node, frame), facts, visited)

    def _sublayer_values(self, values: List[Value], facts: _Facts, visited: set) -> None:
        for value in values:
            if isinstance(value, (KerasCall, Instance)):
                self.model_facts(value, facts, visited)
            elif isinstance(value, (LibRef, Foreign, Literal)):
                continue  # a loss, an optimizer, a function of a library, a tf.Variable, a number
            elif isinstance(value, (FunctionRef, ClassRef, ModuleRef, LambdaRef)):
                continue  # a function kept in an attribute (``self.act = lambda x: ...``) is no layer
            else:
                facts.opaque = True


def _sets_trainable(tree) -> bool:
    """The module sets some ``<x>.trainable`` to anything but a literal False (fine-tuning)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and not (_is_constant(node.value) and _is_zero(node.value)) \
                and any(isinstance(t, ast.Attribute) and t.attr == "trainable" for t in node.targets):
            return True
    return False


# Keras' step methods: what they call runs around the model's forward pass, not inside it
_STEP_METHODS = frozenset({"train_step", "test_step", "predict_step"})
_SHAPE_READS = frozenset({"shape", "get_shape", "dtype", "ndim"})


def _reads_shape(node) -> bool:
    """``x.shape``, ``x.shape.as_list()``, ``x.get_shape()[-1]``: what a tensor's static shape
    or type gives (numbers), never a layer's output."""
    while isinstance(node, (ast.Call, ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Attribute) and node.attr in _SHAPE_READS:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _is_container(node) -> bool:
    """A display or comprehension of several values, or ``list(...)``, ``tuple(...)``, ``dict(...)``."""
    return isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.GeneratorExp,
                             ast.DictComp)) \
        or isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("list", "tuple", "dict")


def _is_network(value: Value) -> bool:
    """A Keras graph network: a Sequential, a functional Model or an applications model."""
    return isinstance(value, KerasCall) and keras_kind(value.qualified) in ("sequential", "model", "applications")


def _is_checkpoint(value: Value) -> bool:
    """A model loaded from a file (``keras.models.load_model(path)``)."""
    return isinstance(value, KerasCall) and is_checkpoint_loader(value.qualified)


def _is_input(value: Value) -> bool:
    """``Input(shape)``: a placeholder, which runs no layer."""
    return isinstance(value, KerasCall) and keras_kind(value.qualified) == "input"


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
    flag = keyword_value(call, "training")
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
    params = parameter_names(fdef)
    flag = _own_flag(fdef) or "training"
    if flag in params[1:]:
        return params.index(flag) - 1
    return None if fdef.args.vararg is not None else NOT_POSITIONAL


def _hands_on_training(fdef) -> bool:
    """``__call__`` takes ``training`` and hands it on (``self.body(x, training=training)``), or
    hands its ``**kwargs`` on: a ``training=True`` given to its call then reaches a layer.  One
    that takes it and drops it (``def __call__(self, z, *args, **kwargs): return self.body(z)``)
    changes nothing."""
    kwarg = fdef.args.kwarg.arg if fdef.args.kwarg is not None else None
    for node in ast.walk(fdef):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if isinstance(value, ast.Name) and (keyword.arg == "training" and value.id == "training"
                                                    or keyword.arg is None and value.id == kwarg):
                    return True
    return False


def _own_flag(fdef) -> Optional[str]:
    """The parameter other than ``training`` that ``call`` hands its layers as ``training=``
    (``call(self, x, is_training=False)`` with ``self.bn(x, training=is_training)``); None when
    ``call`` takes ``training`` itself, or hands on no parameter."""
    params = parameter_names(fdef, bound=True) + [a.arg for a in fdef.args.kwonlyargs]
    if "training" in params:
        return None
    for node in ast.walk(fdef):
        if isinstance(node, ast.Call):
            flag = keyword_value(node, "training")
            if isinstance(flag, ast.Name) and flag.id in params:
                return flag.id
    return None


def _model_sets_mode(record) -> bool:
    """A sub-layer call whose ``training=`` the model sets itself (``training=self.is_training``,
    a flag the program sets before training and evaluation): the mode of the model's own call
    does not reach that layer."""
    flag = keyword_value(record.node, "training")
    if flag is None or isinstance(flag, ast.Name):
        return False  # a name may be ``call``'s own flag, handed on
    return not any(isinstance(n, ast.Name) and n.id == "training" for n in ast.walk(flag))


def _method_name(scope: Scope) -> Optional[str]:
    """The name of the method ``scope`` is (or is nested in), None outside a class."""
    while scope is not None and scope.cls is None:
        scope = scope.parent
    return getattr(scope.node, "name", None) if scope is not None else None


def _true_training_default(fdef) -> bool:
    """``def call(self, x, training=True)`` (or ``=1``), or a ``call`` whose body first turns a
    missing flag into a true one: ``if training is None: training = True`` (or
    ``training = True if training is None else training``) before anything reads it."""
    args = fdef.args
    positional = positional_parameters(args)
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    if any(a.arg == "training" and _is_constant(d) and not _is_zero(d) for a, d in pairs):
        return True
    if not any(a.arg == "training" for a, _ in pairs):
        return False
    body = [stmt for stmt in fdef.body if not _is_docstring(stmt)]
    first = body[0] if body else None
    if isinstance(first, ast.If) and _is_training_none(first.test) and not first.orelse \
            and len(first.body) == 1 and _sets_training_true(first.body[0]):
        return True
    if isinstance(first, ast.Assign) and len(first.targets) == 1 and _is_training_name(first.targets[0]) \
            and isinstance(first.value, ast.IfExp) and _is_training_none(first.value.test) \
            and _is_constant(first.value.body) and not _is_zero(first.value.body) \
            and _is_training_name(first.value.orelse):
        return True
    return False


def _is_docstring(stmt) -> bool:
    value = stmt.value if isinstance(stmt, ast.Expr) else None
    text = getattr(value, "value", getattr(value, "s", None))
    return type(value).__name__ in ("Constant", "Str") and isinstance(text, str)


def _is_training_name(node) -> bool:
    return isinstance(node, ast.Name) and node.id == "training"


def _is_training_none(test) -> bool:
    """``training is None``."""
    return isinstance(test, ast.Compare) and _is_training_name(test.left) and len(test.ops) == 1 \
        and isinstance(test.ops[0], ast.Is) and _is_constant(test.comparators[0]) \
        and ast.literal_eval(test.comparators[0]) is None


def _sets_training_true(stmt) -> bool:
    """``training = True`` (or ``= 1``)."""
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and _is_training_name(stmt.targets[0]) \
        and _is_constant(stmt.value) and not _is_zero(stmt.value)


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


def _holds(call: ast.Call, bindings) -> bool:
    """Whether one of the (replacing) bindings that reach a use binds the result of ``call``."""
    return any(b.value is call for b in bindings if not b.augments)


def _set_before(record, bindings) -> list:
    """The bindings of a ``self`` attribute that reach a call in a method: the last one the
    method itself makes before the call (those before it in the method are replaced), else all
    of them (methods run in any order)."""
    found = []
    for binding in reversed([b for b in bindings if b.scope is record.scope and b.seq < record.seq
                             and not b.augments]):
        found.append(binding)
        if record.blocks[:len(binding.blocks)] == binding.blocks:
            return found  # surely ran: what the method set before it is replaced
    return list(bindings)
