"""TF 1.x graph training, found once per module: what LP400, LP401, LP410 and LP411 look at.

A *training* is a train op (``opt.minimize(loss)``, ``opt.apply_gradients(...)``)
that this file runs: fetched by a ``.run(...)`` call (``sess.run``,
``train_op.run``, a MonitoredSession) or returned as an Estimator
``EstimatorSpec(train_op=...)``.  The train op is followed from what is run
through names, ``self`` attributes, attributes of instances of the file's
classes (``net.opt``: the evaluator says what ``net`` is), lists,
``tf.group``, the ``tf.control_dependencies`` a call is built under and the
returns of local functions (a ``self.m(...)`` runs ``m`` as looked up from the
classes instantiated).  Its loss is followed back (:func:`~..._dataflow.sources`, into
the returns of local builder functions) to the layers it runs: Keras models
and layers through the model resolver, tf.layers / contrib / slim layers
through :mod:`.tables`.
"""
import ast
from typing import Dict, List, Optional, Set, Tuple

from flake8_learning_phase.core.branches import exclusive
from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.records import Record, field
from flake8_learning_phase.core.values import Frame, FunctionRef
from flake8_learning_phase.keras.graph_layers import (
    UPDATES_COLLECTIONS_POSITION,
    GraphLayer,
    graph_layer,
    graph_layer_class,
)
from flake8_learning_phase.keras.models import ModelInfo, keras_kind, resolve_model, resolver
from flake8_learning_phase.core.module import (
    Append,
    Assignment,
    Augmentation,
    CallRecord,
    Extend,
    FunctionDefinition,
    ModuleModel,
    Parameter,
    Scope,
    Unpacking,
    class_attribute_bindings,
    dotted,
    is_self_attribute,
    qualified_name,
    reaching,
    unpacked,
)
from flake8_learning_phase.core.registry import Prefilter
from flake8_learning_phase.flow.dataflow import Origin, sources
from flake8_learning_phase.flow.calls import argument, parameter_arguments
from flake8_learning_phase.flow.terms import Context, Term, constructor_name
from flake8_learning_phase.rules.tf1_graph.syntax import (
    dict_literal,
    is_call_to,
    is_constant,
    is_keras_updates,
    is_none,
    is_update_ops,
    string_value,
)

# A file can only hold a TF 1.x graph training that matters here when it builds a train op
# (``.minimize(`` / ``.apply_gradients(``, or a v2 Estimator head's ``create_estimator_spec(``:
# rare words, a C-speed ``in``), runs it (``.run(`` or an Estimator spec) and mentions a
# phase-dependent layer or Keras (whose models may be built in another module).  On the
# tensorflow 1.15.5 + keras 2.3.1 sources 55 of 2,476 files have a word and 3 pass the pattern
# (0.08 s for the pattern; with lookaheads for the train op call too, 0.19 s on 94 files),
# searched as two plain patterns: a third of the time of the same test as lookaheads from \A.
PREFILTER = Prefilter(
    words=(".minimize(", ".apply_gradients(", "create_estimator_spec("),
    patterns=((r"batch_norm|BatchNorm|ropout|keras|UPDATE_OPS|learning_phase",
               r"\.run\(|EstimatorSpec\(|create_estimator_spec\("),),
)
# Names a training flag goes by (a parameter, a placeholder).
FLAG_NAMES = ("is_training", "training", "is_train", "train", "phase_train", "train_phase", "train_mode",
              "training_mode", "istraining", "isTraining", "is_training_ph", "training_ph", "is_training_pl")
_MAX_HELPER_DEPTH = 3
_MAX_REACHED = 2000
_GROUPS = ("group", "tuple", "with_dependencies", "identity", "no_op")


class Run(Record):
    """A call that runs train ops: ``sess.run(fetches, feed)``, ``op.run(feed)`` or an EstimatorSpec."""

    record: CallRecord
    feed: Optional[ast.expr]  # the feed_dict expression; None when nothing is fed
    estimator: bool
    reached: Dict[int, Tuple[ast.expr, Context]]  # what the run executes: id(node) -> (node, where)
    root: ast.expr  # what is run, as written (the fetches, ``op`` of ``op.run()``, ``train_op=``)
    where: Context


class KerasUse(Record, frozen=False):
    """A Keras model or layer the loss runs: ``net(x)``, ``layer(x)`` or ``model.output``."""

    node: ast.expr
    context: Context
    info: ModelInfo
    explicit: Optional[ast.expr]  # the application's own training argument, if any (a call of ``**kw`` too)
    model_text: Optional[str]  # ``net`` in ``net(x)`` / ``model.output``
    applied_to: Optional[ast.expr]  # ``x`` in ``net(x)``; None for ``model.output``


class LayerUse(Record, frozen=False):
    """A tf.layers / contrib / slim layer the loss runs."""

    node: ast.Call
    context: Context
    layer: GraphLayer
    flag: Optional[ast.expr]  # the mode argument as passed (None: the default)
    flag_known: bool  # False when an arg_scope or ``normalizer_params`` we cannot read may set it
    in_place: Optional[bool]  # contrib ``updates_collections=None``; None when it cannot be read


class Training(Record, frozen=False):
    """One train op this file runs, the runs, and what its loss runs."""

    op: CallRecord  # the minimize / apply_gradients call
    runs: List[Run]
    model_fn: Optional[Scope]  # the Estimator ``model_fn`` that returns it
    keras: List[KerasUse] = field(factory=list)
    layers: List[LayerUse] = field(factory=list)
    builders: List[Origin] = field(factory=list)  # calls of local builder functions the loss runs


class Graph:
    """Every training of a module, and the index the rules ask about calls."""

    def __init__(self, context: RuleContext):
        self.context = context
        model = context.model
        self.records: Dict[int, CallRecord] = {}
        self._reached_with: Dict[Tuple[int, int], Dict[int, Tuple[ast.expr, Context]]] = {}
        for record in _all_records(model):
            self.records[id(record.node)] = record
        ops = [
            r for r in model.calls_of("minimize") + model.calls_of("apply_gradients")
            if isinstance(r.node.func, ast.Attribute) and _loss(r.node) is not None
        ]
        op_ids = {id(r.node) for r in ops}
        self.runs = [run for run in (self._run(r, op_ids) for r in _run_records(model)) if run is not None]
        self.trainings: List[Training] = []
        for op in ops:
            runs = [run for run in self.runs if id(op.node) in run.reached]
            if runs:
                model_fn = next((run.record.scope for run in runs if run.estimator), None)
                training = Training(op, runs, _function_of(model_fn))
                self._trained_layers(training)
                self.trainings.append(training)

    # -- runs ------------------------------------------------------------------

    def _run(self, record: CallRecord, op_ids: Set[int]) -> Optional[Run]:
        call = record.node
        where = Context(record.scope, record.seq, record.blocks)
        if _is_estimator_spec(call):
            fetches = argument(call, 3, "train_op")
            if fetches is None:
                return None
            return Run(record, None, True, self.reach(fetches, where), fetches, where)
        owner = call.func.value
        reached = self.reach(owner, where)
        if op_ids.intersection(reached):  # ``train_op.run(feed_dict=...)``
            return Run(record, argument(call, 0, "feed_dict"), False, reached, owner, where)
        fetches = argument(call, 0, "fetches")
        if fetches is None:
            return None
        return Run(record, argument(call, 1, "feed_dict"), False, self.reach(fetches, where), fetches, where)

    def reached_with(self, run: Run, op: ast.Call) -> Dict[int, Tuple[ast.expr, Context]]:
        """What ``run`` executes together with the train op ``op``: where a name, an attribute or
        a parameter may hold either of two train ops (``self.train_op`` assigned ``minimize(...)``
        in one method and ``tf.group(update_ops, op)`` in another), only the values that hold
        ``op`` are followed, so ops grouped with the other train op do not count for this one."""
        if id(op) not in run.reached:
            return run.reached
        key = (id(run), id(op))
        found = self._reached_with.get(key)
        if found is None:
            found = self._reached_with[key] = self.reach(run.root, run.where, id(op))
        return found

    def reach(self, node: ast.expr, where: Context,
              toward: Optional[int] = None) -> Dict[int, Tuple[ast.expr, Context]]:
        """Every expression that running ``node`` executes, as far as the file shows it; with
        ``toward`` (a node's id), of the values a name, attribute or parameter may hold only those
        that run that node, when some do."""
        found: Dict[int, Tuple[ast.expr, Context]] = {}
        stack: List[Tuple[ast.expr, Context, int]] = [(node, where, 0)]
        while stack and len(found) < _MAX_REACHED:
            current, here, depth = stack.pop()
            if id(current) in found or not isinstance(current, ast.expr):
                continue
            found[id(current)] = (current, here)
            if isinstance(current, ast.Name):
                bindings = reaching(here.scope, current.id, here.seq, here.blocks)
                if _rebound(bindings):
                    values = [(b.value, Context(b.scope, b.seq, b.blocks)) for b in bindings]
                    stack.extend((value, inner, depth) for value, inner in self._holding(values, toward))
                    continue
                for binding in bindings:
                    inner = Context(binding.scope, binding.seq, binding.blocks)
                    if isinstance(binding, Unpacking):
                        stack.extend((e, Context(s, q, b), depth) for e, s, q, b in unpacked(binding))
                    elif isinstance(binding, Parameter):
                        term = Term("parameter", binding.node, inner)
                        passed = list(parameter_arguments(self.context, term))
                        stack.extend((e, w, depth) for e, w in self._holding(passed, toward))
                    elif isinstance(binding, (Assignment, Augmentation, Append, Extend)) and binding.value is not None:
                        stack.append((binding.value, inner, depth))
            elif isinstance(current, (ast.List, ast.Tuple, ast.Set)):
                stack.extend((e, here, depth) for e in current.elts)
            elif isinstance(current, ast.Starred):
                stack.append((current.value, here, depth))
            elif isinstance(current, ast.Dict):
                stack.extend((v, here, depth) for v in current.values)
            elif isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
                stack.extend(((current.left, here, depth), (current.right, here, depth)))
            elif isinstance(current, ast.IfExp):
                branches = [(current.body, here), (current.orelse, here)]
                stack.extend((value, inner, depth) for value, inner in self._holding(branches, toward))
            elif isinstance(current, ast.Attribute) and is_self_attribute(current, here.scope):
                bindings = class_attribute_bindings(self.context.model, here.scope.cls, current.attr)
                values = [(b.value, Context(b.scope, b.seq, b.blocks)) for b in bindings if b.value is not None]
                if _rebound(bindings):
                    values = self._holding(values, toward)
                stack.extend((value, inner, depth) for value, inner in values)
            elif isinstance(current, ast.Attribute):  # ``net.opt``: what ``net``'s class assigns to it
                assigned = self._holding(self._instance_attribute(current, here), toward)
                stack.extend((value, inner, depth) for value, inner in assigned)
                stack.extend((value, inner, depth) for value, inner in self._record_field(current, here))
            elif isinstance(current, ast.Call):
                stack.extend(self._call_parts(current, here, depth))
        return found

    def _holding(self, values: List[Tuple[ast.expr, Context]],
                 toward: Optional[int]) -> List[Tuple[ast.expr, Context]]:
        """Of the values something may hold (one of them at a time), those that run ``toward``,
        when some do; all of them otherwise."""
        if toward is None or len(values) < 2:
            return values
        return [(value, where) for value, where in values if toward in self.reach(value, where)] or values

    def _call_parts(self, call: ast.Call, here: Context, depth: int):
        """What running a call runs besides itself: its control dependencies, grouped ops, returns."""
        record = self.records.get(id(call))
        if record is not None:
            for item in record.withs:
                if is_call_to(item.context, "control_dependencies") and item.context.args:
                    yield item.context.args[0], Context(record.scope, item.seq, record.blocks), depth
        name = qualified_name(call.func, here.scope, here.seq, here.blocks) or ""
        if name.startswith("tensorflow.") and name.rpartition(".")[2] in _GROUPS:
            for arg in call.args:
                yield arg, here, depth
            for kw in call.keywords:
                if kw.arg in ("inputs", "tensors", "control_inputs", "dependencies"):
                    yield kw.value, here, depth
        elif depth < _MAX_HELPER_DEPTH:
            for value, where in self.returned(call, here):
                yield value, where, depth + 1

    def _instance_attribute(self, node: ast.Attribute, here: Context) -> List[Tuple[ast.expr, Context]]:
        """What this module's classes assign to the attribute ``node`` reads on one of their
        instances (the evaluator's answer: ``net`` a parameter, a module name, ``Net()``)."""
        evaluator = resolver(self.context)
        frame = Frame(evaluator.root, here.scope, here.seq, here.blocks, ())
        return [(value, Context(at.scope, at.seq, at.blocks)) for value, at in evaluator.assigned_at(node, frame)
                if at.mod is evaluator.root]

    def _record_field(self, node: ast.Attribute, here: Context) -> List[Tuple[ast.expr, Context]]:
        """The field ``node`` reads of a namedtuple this module builds (``model.train`` with
        ``model = create_model(...)`` returning ``Model(..., train=tf.group(...))``, the
        pix2pix layout): what the construction passes for it."""
        if not isinstance(node.value, ast.Name):
            return []
        found = []
        for binding in reaching(here.scope, node.value.id, here.seq, here.blocks):
            if not isinstance(binding, Assignment) or not isinstance(binding.value, ast.Call):
                continue
            made = Context(binding.scope, binding.seq, binding.blocks)
            for value, where in [(binding.value, made)] + self.returned(binding.value, made):
                passed = self._namedtuple_field(value, node.attr, where)
                if passed is not None:
                    found.append((passed, where))
        return found

    def _namedtuple_field(self, call, attr: str, here: Context) -> Optional[ast.expr]:
        """What ``call``, a construction of a ``collections.namedtuple`` class this module makes,
        passes for the field ``attr``; None otherwise."""
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            return None
        bindings = [b for b in reaching(here.scope, call.func.id, here.seq, here.blocks) if not b.augments]
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment) or not isinstance(bindings[0].value, ast.Call):
            return None
        maker = bindings[0].value
        if qualified_name(maker.func, bindings[0].scope, bindings[0].seq, bindings[0].blocks) != "collections.namedtuple":
            return None
        names = argument(maker, 1, "field_names")
        if isinstance(names, (ast.List, ast.Tuple)):
            fields = [string_value(element) for element in names.elts]
        else:
            text = string_value(names) if names is not None else None
            fields = text.replace(",", " ").split() if text is not None else [None]
        if attr not in fields or any(f is None for f in fields):
            return None
        for keyword in call.keywords:
            if keyword.arg == attr:
                return keyword.value
        index = fields.index(attr)
        positional = [a for a in call.args if not isinstance(a, ast.Starred)]
        return positional[index] if len(positional) == len(call.args) and index < len(positional) else None

    def returned(self, call: ast.Call, here: Context) -> List[Tuple[ast.expr, Context]]:
        """The return values of the local functions or methods ``call`` calls."""
        return [(ret.value, Context(body, seq, blocks)) for body in self.functions_called(call, here)
                for ret, seq, blocks in body.returns if ret.value is not None]

    def functions_called(self, call: ast.Call, here: Context) -> List[Scope]:
        """The local function ``call`` calls, or the methods of this module a ``self.m(...)`` call
        may run: ``m`` looked up from the class of ``self`` (a base's ``self.build(x)`` runs the
        ``build`` of the subclass that is instantiated); or the method of this module's class a
        call on one of its instances runs (``self.generator.forward(z)``)."""
        func = call.func
        if isinstance(func, ast.Name):
            found = [b for b in reaching(here.scope, func.id, here.seq, here.blocks) if not b.augments]
            if len(found) == 1 and isinstance(found[0], FunctionDefinition):
                return [found[0].body]
        elif is_self_attribute(func, here.scope):
            evaluator = resolver(self.context)
            methods = evaluator.dispatched(here.scope.cls.node, evaluator.root, func.attr)
            if not methods:
                own = here.scope.cls.methods.get(func.attr)
                return [own] if own is not None else []
            scopes = [evaluator.function_scope(m.node, m.mod) for m in methods if m.mod is evaluator.root]
            return [scope for scope in scopes if scope is not None]
        elif isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
            # ``self.generator.forward(z)``: a method of an instance of this module's classes
            evaluator = resolver(self.context)
            frame = Frame(evaluator.root, here.scope, here.seq, here.blocks, ())
            scopes = [evaluator.function_scope(v.node, v.mod) for v in evaluator.values_at(func, frame)
                      if isinstance(v, FunctionRef) and v.bound is not None and v.mod is evaluator.root]
            return [scope for scope in scopes if scope is not None]
        return []

    # -- what the loss runs ---------------------------------------------------------

    def _trained_layers(self, training: Training) -> None:
        record = training.op
        start = Context(record.scope, record.seq, record.blocks)
        origins = self.origins(_loss(record.node), start)
        seen: Set[int] = set()
        for origin in origins:
            node, where = origin.node, origin.context
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ast.Call):
                layer = self.layer_use(node, where)
                if layer is not None:
                    training.layers.append(layer)
                    continue
                if self.functions_called(node, where):
                    training.builders.append(origin)
                    continue
                use = self._keras_call(node, where)
            elif isinstance(node, ast.Attribute) and node.attr in ("output", "outputs"):
                use = self._keras_output(node, where)
            else:
                use = None
            if use is not None:
                training.keras.append(use)

    def origins(self, loss: ast.expr, where: Context) -> List[Origin]:
        """What the loss is computed from, into the returns of local builder functions."""
        found: List[Origin] = []
        pending = [(loss, where, 0)]
        visited: Set[int] = set()
        while pending:
            node, here, depth = pending.pop()
            for origin in sources(self.context, node, here, stop=self._constructs).origins:
                if id(origin.node) in visited:
                    continue
                visited.add(id(origin.node))
                found.append(origin)
                # ``sources`` follows positional operands only: keyword arguments
                # (``logits=logits``) and comprehension sources are followed here.
                for part in _keyword_and_comprehension_parts(origin.node):
                    pending.append((part, origin.context, depth))
                if isinstance(origin.node, ast.Call) and depth < _MAX_HELPER_DEPTH:
                    for value, inner in self.returned(origin.node, origin.context):
                        pending.append((value, inner, depth + 1))
        return found

    def _constructs(self, origin: Origin) -> bool:
        """A Keras constructor (``Sequential([...])``, ``Dense(4)``): what it builds is the resolver's."""
        node, where = origin.node, origin.context
        return isinstance(node, ast.Call) and keras_kind(
            qualified_name(node.func, where.scope, where.seq, where.blocks)) is not None

    def layer_use(self, call: ast.Call, where: Context) -> Optional[LayerUse]:
        name = qualified_name(call.func, where.scope, where.seq, where.blocks)
        layer = graph_layer(name)
        if layer is not None:
            return self._with_arg_scope(LayerUse(call, where, layer, argument(call, layer.position, layer.flag), True,
                                                 _in_place(call, layer)))
        for kw in call.keywords:
            if kw.arg == "normalizer_fn":
                normalizer = graph_layer(qualified_name(kw.value, where.scope, where.seq, where.blocks))
                if normalizer is not None and normalizer.kind == "batch_norm":
                    return self._normalizer(call, where, normalizer)
        layer = self._layer_class(call.func, where)
        if layer is not None:  # ``tf.layers.BatchNormalization()(x, training=...)``, ``bn(x, ...)``
            return LayerUse(call, where, layer, argument(call, layer.position, layer.flag), True, None)
        return self._partial_layer(call, where)

    def _partial_layer(self, call: ast.Call, where: Context) -> Optional[LayerUse]:
        """``bn = functools.partial(tf.layers.batch_normalization, training=training)``; ``bn(x)``."""
        if not isinstance(call.func, ast.Name):
            return None
        bindings = reaching(where.scope, call.func.id, where.seq, where.blocks)
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment) or not isinstance(bindings[0].value, ast.Call):
            return None
        made, at = bindings[0].value, Context(bindings[0].scope, bindings[0].seq, bindings[0].blocks)
        if qualified_name(made.func, at.scope, at.seq, at.blocks) != "functools.partial" or not made.args:
            return None
        if len(made.args) != 1 or any(kw.arg is None for kw in made.keywords):
            return None  # bound positional arguments or ``**kwargs``: the flag's place is unknown
        layer = graph_layer(qualified_name(made.args[0], at.scope, at.seq, at.blocks))
        if layer is None:
            return None
        bound = next((kw.value for kw in made.keywords if kw.arg == layer.flag), None)
        flag = argument(call, layer.position, layer.flag) or bound
        in_place = _in_place(call, layer)
        if layer.contrib and in_place is False:
            in_place = _in_place(made, layer) if any(kw.arg == "updates_collections" for kw in made.keywords) else False
        # The flag's own context is the partial's when it is bound there.
        return LayerUse(call, where if flag is not bound else at, layer, flag, True, in_place)

    def _layer_class(self, func: ast.expr, where: Context) -> Optional[GraphLayer]:
        """The tf.layers class ``func`` is an instance of: built inline, or bound once to a name."""
        name = constructor_name(func, where)
        return graph_layer_class(name) if name else None

    def _normalizer(self, call: ast.Call, where: Context, layer: GraphLayer) -> LayerUse:
        """``conv2d(..., normalizer_fn=slim.batch_norm, normalizer_params={...})``."""
        params = next((kw.value for kw in call.keywords if kw.arg == "normalizer_params"), None)
        if params is None:
            return self._with_arg_scope(LayerUse(call, where, layer, None, True, False if layer.contrib else None))
        literal = dict_literal(params, where)
        if literal is None:
            return LayerUse(call, where, layer, None, False, None)
        flag, in_place, known = None, False, True
        for key, value in zip(literal.keys, literal.values):
            if key is None or string_value(key) is None:
                known = False
            elif string_value(key) == layer.flag:
                flag = value
            elif string_value(key) == "updates_collections":
                in_place = is_none(value) if is_constant(value) else None
        return LayerUse(call, where, layer, flag, known, in_place)

    def _with_arg_scope(self, use: LayerUse) -> LayerUse:
        """A flag left out may come from an enclosing ``arg_scope([...batch_norm...], is_training=...)``."""
        record = self.records.get(id(use.node))
        withs = record.withs if record is not None else ()
        for item in withs:
            if is_call_to(item.context, "arg_scope"):
                use.flag_known = False
                for kw in item.context.keywords:
                    if kw.arg == use.layer.flag and use.flag is None:
                        use.flag, use.flag_known = kw.value, True
        return use

    def _keras_call(self, call: ast.Call, where: Context) -> Optional[KerasUse]:
        func = call.func
        if not isinstance(func, (ast.Name, ast.Attribute, ast.Call)):
            return None
        if not isinstance(func, ast.Call):
            name = qualified_name(func, where.scope, where.seq, where.blocks)
            if keras_kind(name) is not None:
                return None  # a constructor, not an application
            if name is not None and name.startswith("tensorflow.") and ".keras." not in name:
                return None  # a TensorFlow op, not a model
        info = resolve_model(self.context, func, where.scope, where.seq, where.blocks)
        if not info.seen or not (info.phase_dependent or info.owns_updates):
            return None
        explicit = next((kw.value for kw in call.keywords if kw.arg in ("training", None)), None)
        if explicit is None and len(call.args) > 1:
            explicit = call.args[1]
        applied = call.args[0] if len(call.args) == 1 or (call.args and explicit is not None) else None
        return KerasUse(call, where, info, explicit, dotted(func), applied)

    def _keras_output(self, node: ast.Attribute, where: Context) -> Optional[KerasUse]:
        info = resolve_model(self.context, node.value, where.scope, where.seq, where.blocks)
        if not info.seen or not (info.phase_dependent or info.owns_updates):
            return None
        return KerasUse(node, where, info, None, dotted(node.value), None)


def runs_apart(context: RuleContext, training: Training, where: Context) -> bool:
    """What stands at ``where`` (a layer the loss runs) is never built in a run that builds the
    train op: one stands where a flag is true, the other where it is false (``if self.use_bn:``
    around the batch norm, the bare train op in the ``else`` of ``if self.use_bn:``)."""
    op = training.op
    return exclusive(context.model, (where.scope, where.blocks), (op.scope, op.blocks))


def companion_runs(found: Graph, training: Training) -> List[Run]:
    """The runs that may run ops with the train op: those that run it, and the other runs in the
    functions (or module body) that do (``sess.run(update_ops)`` next to ``sess.run(train_op)``)."""
    scopes = {id(run.record.scope) for run in training.runs}
    return [run for run in found.runs if run in training.runs or id(run.record.scope) in scopes]


def opaque_dependency(found: Graph, training: Training) -> bool:
    """The train op is built under a ``tf.control_dependencies`` whose ops the file does not show
    (a call into another module, a parameter nobody here passes, another object's attribute): it
    may hold the update ops."""
    op = training.op
    for item in op.withs:
        if not is_call_to(item.context, "control_dependencies") or not item.context.args:
            continue
        where = Context(op.scope, item.seq, op.blocks)
        for node, here in found.reach(item.context.args[0], where).values():
            if _opaque(found, node, here):
                return True
    return False


def _opaque(found: Graph, node: ast.expr, here: Context) -> bool:
    if isinstance(node, ast.Call):
        if is_update_ops(node) or is_keras_updates(node) or found.functions_called(node, here):
            return False
        name = qualified_name(node.func, here.scope, here.seq, here.blocks) or ""
        return not name.startswith("tensorflow")
    if isinstance(node, ast.Attribute):
        return not (is_keras_updates(node) or is_self_attribute(node, here.scope) or dotted(node) is None
                    or (qualified_name(node, here.scope, here.seq, here.blocks) or "").startswith("tensorflow"))
    if isinstance(node, ast.Subscript):
        return True
    if isinstance(node, ast.Name):
        bindings = reaching(here.scope, node.id, here.seq, here.blocks)
        return not bindings or any(not isinstance(b, (Assignment, Augmentation, Append, Extend, Parameter))
                                   or (isinstance(b, Assignment) and b.value is None) for b in bindings)
    return False


def graph(context: RuleContext) -> Graph:
    """The module's trainings (computed once, shared by the LP4xx rules)."""
    return context.shared(Graph, Graph)


# -- helpers ------------------------------------------------------------------------------


def _rebound(bindings) -> bool:
    """Every binding assigns a value whole (``x = a`` here, ``x = b`` there): one holds at a time.
    Appends, extends and ``+=`` add to what is there, so their values all run."""
    return len(bindings) > 1 and all(isinstance(b, Assignment) and b.value is not None for b in bindings)


def _loss(call: ast.Call) -> Optional[ast.expr]:
    if call.func.attr == "minimize":
        return argument(call, 0, "loss")
    return argument(call, 0, "grads_and_vars")


def _keyword_and_comprehension_parts(node: ast.expr) -> List[ast.expr]:
    if isinstance(node, ast.Call):
        return [kw.value for kw in node.keywords]
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return [generator.iter for generator in node.generators]
    return []


def _all_records(model: ModuleModel):
    for records in model.attribute_calls.values():
        yield from records
    for scope in model.scopes:
        for records in scope.calls.values():
            yield from records


def _run_records(model: ModuleModel) -> List[CallRecord]:
    runs = [r for r in model.calls_of("run") if isinstance(r.node.func, ast.Attribute)]
    runs += model.calls_of("EstimatorSpec") + model.calls_of("TPUEstimatorSpec")
    return runs


def _is_estimator_spec(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("EstimatorSpec", "TPUEstimatorSpec")


def _function_of(scope: Optional[Scope]) -> Optional[Scope]:
    while scope is not None and not scope.is_function:
        scope = scope.parent
    return scope


def _in_place(call: ast.Call, layer: GraphLayer) -> Optional[bool]:
    if not layer.contrib or layer.kind != "batch_norm":
        return None
    value = argument(call, UPDATES_COLLECTIONS_POSITION, "updates_collections")
    if value is None:
        return False
    return is_none(value) if is_constant(value) else None
