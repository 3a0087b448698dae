"""Training steps: what LP100, LP101 and LP200 all look at, found once per module.

A *training step* is a Keras backend ``function(inputs, outputs, updates)``
call whose updates come from an optimizer: a Keras optimizer's
``get_updates(...)``, or a TensorFlow optimizer's ``minimize(...)`` or
``apply_gradients(...)`` op (the DDPG actor's update).  This module finds them,
flattens their inputs and updates into terms, names the trained model, and
follows the step to the calls that feed it.
"""
import ast
from typing import Dict, List, NamedTuple, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.keras.models import UNSEEN, ModelInfo, resolve_model, resolver
from flake8_learning_phase.core.findings import AppendElement, Concatenate, Edit, StarAppend
from flake8_learning_phase.core.module import (
    Assignment,
    CallRecord,
    ModuleModel,
    Scope,
    dotted,
    reaching,
)
from flake8_learning_phase.core.records import Record
from flake8_learning_phase.core.registry import Prefilter
from flake8_learning_phase.core.signatures import keyword_value
from flake8_learning_phase.core.values import NONE_VALUE, Foreign, Frame
from flake8_learning_phase.flow.calls import argument, function_calls, parameter_arguments
from flake8_learning_phase.flow.dataflow import Origin, applications, sources
from flake8_learning_phase.keras.backend import backend_module, calls_backend
from flake8_learning_phase.flow.terms import (
    ATTRIBUTE,
    CALL,
    OPTIMIZER,
    PARAMETER,
    UNKNOWN,
    Context,
    Term,
    flatten,
)

# A training step always makes an attribute call ``<optimizer>.get_updates(``, or a TensorFlow
# optimizer's ``.minimize(`` / ``.apply_gradients(`` beside a backend ``function(`` (``K.function(``
# or a bare ``function(``, not ``tf.function(``); files that merely define or mention get_updates
# (8 of the 13 in the tensorflow 1.15.5 + keras 2.3.1 corpus) need no parse, nor do TF2 loops,
# which apply gradients but build no K.function.
PREFILTER = Prefilter(
    words=("get_updates", "minimize", "apply_gradients"),
    patterns=((r"\.\s*get_updates\s*\(",),
              (r"\.\s*(?:minimize|apply_gradients)\s*\(", r"(?:(?<!tf)\.|(?<![\w.]))function\s*\(")),
)

# Where the trained model shows itself: get_updates(loss, <model>.<one of these>).
WEIGHT_ATTRIBUTES = ("trainable_weights", "trainable_variables", "weights")
# An inputs term that could hold the learning phase without our seeing it.
OPAQUE_INPUTS = (CALL, UNKNOWN)
# An updates term that could hold the model's updates without our seeing it.
OPAQUE_UPDATES = (CALL, UNKNOWN, PARAMETER, ATTRIBUTE)
_MAX_HELPER_DEPTH = 3


class Step(NamedTuple):
    """One training step and what the rules need to know about it."""

    record: CallRecord  # the backend ``function(...)`` call
    inputs: ast.expr
    updates: ast.expr
    context: Context  # where the call is evaluated
    input_terms: List[Term]
    update_terms: List[Term]
    optimizer_terms: List[Term]  # the optimizer calls among the updates (``get_updates``, ``apply_gradients``)
    model: Optional[str]  # the trained model's expression, when there is exactly one
    model_term: Optional[Term]  # that expression where it is used, for the model resolver
    sites: List[CallRecord]  # calls of the step that this file shows
    escapes: bool  # callers outside this file may exist (returned, or no call seen)
    phase_is_int: bool  # the module or an importer calls set_learning_phase: the phase is a Python int


def steps(context: RuleContext) -> List[Step]:
    """Every training step of the module (computed once, shared by the rules)."""
    return context.shared(steps, _find_steps)


def _find_steps(context: RuleContext) -> List[Step]:
    model = context.model
    pinned = _pins_phase(model)
    found = []
    for record in model.calls_of("function"):
        if not calls_backend(record, "function"):
            continue
        step = _step(context, record, pinned)
        if step is not None:
            found.append(step)
    if found and not pinned and _pinned_by_importer(context):
        found = [step._replace(phase_is_int=True) for step in found]
    return found


def _pins_phase(model: ModuleModel) -> bool:
    """True when the module calls the backend's ``set_learning_phase`` anywhere.

    The phase is then a Python int, and adding it to a step's inputs would
    break the code (``'int' object has no attribute 'dtype'`` on TensorFlow 1.15).  A call
    inside a function may run before any step is built, so it silences the whole module, like
    one at the top level.
    """
    return any(calls_backend(record, "set_learning_phase") for record in model.calls_of("set_learning_phase"))


def _pinned_by_importer(context: RuleContext) -> bool:
    """A project module that imports this one pins the phase the same way (a script or notebook
    that calls ``set_learning_phase(1)``, then builds the trainer)."""
    evaluator = resolver(context)
    return any(_pins_phase(other.model) for other in evaluator.importers(evaluator.root, "set_learning_phase"))


def _step(context: RuleContext, record: CallRecord, phase_is_int: bool) -> Optional[Step]:
    call = record.node
    inputs = argument(call, 0, "inputs")
    updates = argument(call, 2, "updates")
    if inputs is None or updates is None:
        return None
    where = Context(record.scope, record.seq, record.blocks)
    update_terms = expand_parameters(context, flatten(updates, where))
    optimizer_terms = [t for t in update_terms if t.kind == OPTIMIZER]
    if not optimizer_terms:
        return None  # not a training step: no optimizer updates
    sites, escapes = _call_sites(context, record)
    trained, trained_term = _trained_model(context, optimizer_terms)
    return Step(
        record=record,
        inputs=inputs,
        updates=updates,
        context=where,
        input_terms=flatten(inputs, where),
        update_terms=update_terms,
        optimizer_terms=optimizer_terms,
        model=trained,
        model_term=trained_term,
        sites=sites,
        escapes=escapes,
        phase_is_int=phase_is_int,
    )


# -- the trained model ---------------------------------------------------------------


def expand_parameters(context: RuleContext, terms: List[Term], depth: int = 2) -> List[Term]:
    """``terms`` with each parameter replaced by what the calls in this file pass for it.

    A parameter stays a PARAMETER term when some call cannot be read or none is seen.
    """
    expanded: List[Term] = []
    for term in terms:
        arguments = parameter_arguments(context, term) if term.kind == PARAMETER and depth else []
        if not arguments:
            expanded.append(term)
            continue
        for argument_node, where in arguments:
            expanded.extend(expand_parameters(context, flatten(argument_node, where), depth - 1))
    return expanded


def _trained_model(context: RuleContext, optimizer_terms) -> Tuple[Optional[str], Optional[Term]]:
    """The model whose weights ``get_updates`` trains, when there is exactly one.

    Its expression's text, and a term for the expression itself (for the model
    resolver: where the model is used).
    """
    models = trained_models(context, optimizer_terms)
    if models is None or len(models) != 1:
        return None, None
    return next(iter(models.items()))


def trained_models(context: RuleContext, optimizer_terms) -> Optional[Dict[str, Term]]:
    """Every model whose weights ``get_updates`` trains (``netDA.trainable_weights +
    netDB.trainable_weights``), by expression text; None when some part of the params is not
    a model's weights."""
    models: Dict[str, Term] = {}
    for term in optimizer_terms:
        params = optimizer_part(term, PARAMS)
        if params is None:
            return None
        for piece in expand_parameters(context, flatten(params.node, params.context)):
            weights = _weights_attribute(piece.node)
            base = None if weights is None else dotted(weights.value)
            if base is None:
                return None
            models.setdefault(base, Term(ATTRIBUTE, weights.value, piece.context))
    return models


def _trains_variables_only(context: RuleContext, optimizer_terms) -> bool:
    """Every parameter ``get_updates`` trains is a plain variable (``tf.Variable(...)`` made in the
    code), no model's weights: no layer is trained, whatever the phase."""
    evaluator = resolver(context)
    for term in optimizer_terms:
        params = optimizer_part(term, PARAMS)
        if params is None:
            return False
        for piece in expand_parameters(context, flatten(params.node, params.context)):
            if _weights_attribute(piece.node) is not None:
                return False
            where = piece.context
            values = evaluator.values_at(piece.node, Frame(evaluator.root, where.scope, where.seq, where.blocks, ()))
            if not values or not all(isinstance(v, Foreign) and v != NONE_VALUE for v in values):
                return False
    return True


def model_info(context: RuleContext, step: "Step") -> ModelInfo:
    """What the model resolver says of the trained model (UNSEEN when there is none)."""
    if step.model_term is None:
        return UNSEEN
    where = step.model_term.context
    return resolve_model(context, step.model_term.node, where.scope, where.seq, where.blocks)


def phase_matters(context: RuleContext, step: "Step") -> Optional[bool]:
    """Whether the learning phase changes what the step computes.

    True when a trained model (one or several), or a model the loss applies
    (``netD(fake)``, also to what the trained model is applied to: ``netG(z)``
    in ``netD(netG(z))``), runs phase-dependent layers without their own
    ``training=``; False when every such model is seen and none does; None
    when a trained model cannot be seen (the rules then report, saying when it
    matters).
    """
    trained = model_info(context, step)
    if step.model_term is None:
        # several models trained together: the phase matters if it does for one of them
        infos = [resolve_model(context, term.node, term.context.scope, term.context.seq, term.context.blocks)
                 for term in (trained_models(context, step.optimizer_terms) or {}).values()]
        if infos:
            trained = infos[0]._replace(seen=all(info.seen for info in infos),
                                        phase_dependent=any(info.seen and info.phase_dependent for info in infos))
        elif _trains_variables_only(context, step.optimizer_terms):
            trained = trained._replace(seen=True)  # ``get_updates(params=[w])``: no model is trained
        elif all(_minimizes_every_variable(term) for term in step.optimizer_terms):
            # ``minimize(loss)``: every variable the loss depends on, so the models it is computed
            # from (``model.output``); models it applies are judged below
            infos = _output_models(context, step)
            trained = trained._replace(seen=all(info.seen for info in infos),
                                       phase_dependent=any(info.seen and info.phase_dependent for info in infos))
    if trained.phase_dependent:
        return True
    origins = list(loss_origins(context, step))
    # What the trained model is applied to counts too: a discriminator step whose loss runs the
    # generator on the fakes (``netD(netG(z))``) runs the generator's BatchNormalization.
    stop = _applies_model(step.model)
    for application in applications(origins, step.model) if step.model is not None else ():
        for arg in application.node.args:
            origins.extend(sources(context, arg, application.context, stop=stop).origins)
    for origin in origins:
        node = origin.node
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            where = origin.context
            info = resolve_model(context, node.func, where.scope, where.seq, where.blocks)
            if info.seen and info.phase_dependent:
                return True
    return False if trained.seen else None


def _minimizes_every_variable(term: Term) -> bool:
    """``optimizer.minimize(loss)`` (``global_step=`` aside): no ``var_list``, so it trains every
    trainable variable the loss depends on."""
    call = term.node
    return call.func.attr == "minimize" and len(call.args) <= 1 and keyword_value(call, "var_list") is None


def _output_models(context: RuleContext, step: "Step") -> List[ModelInfo]:
    """What the resolver says of each model whose ``output`` / ``outputs`` the loss reads."""
    infos = []
    for origin in loss_origins(context, step):
        node = origin.node.value if isinstance(origin.node, ast.Subscript) else origin.node
        if isinstance(node, ast.Attribute) and node.attr in ("output", "outputs"):
            where = origin.context
            infos.append(resolve_model(context, node.value, where.scope, where.seq, where.blocks))
    return infos


def loss_origins(context: RuleContext, step: "Step") -> List[Origin]:
    """Every expression the step's losses are computed from (computed once per step)."""
    return _shared_loss_sources(context, step)[0]


def loss_sources_complete(context: RuleContext, step: "Step") -> bool:
    return _shared_loss_sources(context, step)[1]


def _shared_loss_sources(context: RuleContext, step: "Step") -> Tuple[List[Origin], bool]:
    # One walk answers both questions: LP100 and LP200 ask both of each step.
    return context.shared(("loss sources", id(step.record.node)), lambda c: _loss_sources(c, step))


def _loss_sources(context: RuleContext, step: "Step") -> Tuple[List[Origin], bool]:
    origins: List[Origin] = []
    complete = True
    for term in step.optimizer_terms:
        loss = optimizer_part(term, LOSS)
        if loss is None:
            complete = False
            continue
        found = sources(context, loss.node, loss.context, stop=_applies_model(step.model))
        complete = complete and found.complete
        origins.extend(found.origins)
    return origins, complete


def _applies_model(model: Optional[str]):
    """Do not look inside ``model(t)``: its argument says nothing of the model's own graph."""
    return lambda origin: isinstance(origin.node, ast.Call) and model is not None and dotted(origin.node.func) == model


# -- what an optimizer call trains, and on what loss ----------------------------------

LOSS, PARAMS = "loss", "params"


class OptimizerPart(Record):
    """The loss an optimizer call in a step's updates minimises, or the parameters it trains,
    and where that expression is evaluated (the call's own place, or a binding it reads)."""

    node: ast.expr
    context: Context


def optimizer_part(term: Term, part: str) -> Optional[OptimizerPart]:
    """``part`` (LOSS or PARAMS) of an optimizer call; None when it cannot be read.

    ``get_updates(loss, params)``; ``minimize(loss, var_list=...)``; ``apply_gradients(pairs)``,
    whose pairs are ``zip(gradients, params)`` (also through a name, ``list(...)`` or a
    comprehension that clips the gradients) or ``compute_gradients(loss, var_list)``, with the
    gradients from ``tf.gradients(ys, ...)`` / ``K.gradients(loss, ...)``: the loss is ``ys``.
    """
    call, where = term.node, term.context
    method = call.func.attr
    if method == "get_updates":
        node = _get_updates_argument(call, part)
    elif method == "minimize":
        # ``var_list`` by keyword only: the second position is ``global_step`` for a
        # ``tf.train`` optimizer and ``var_list`` for a Keras one.
        node = argument(call, 0, "loss") if part == LOSS else keyword_value(call, "var_list")
    else:
        pairs = argument(call, 0, "grads_and_vars")
        return None if pairs is None else _pairs_part(pairs, where, part, 0)
    return None if node is None else OptimizerPart(node, where)


def _pairs_part(node: ast.expr, where: Context, part: str, depth: int) -> Optional[OptimizerPart]:
    """``part`` of the (gradient, variable) pairs handed to ``apply_gradients``."""
    node, where = _assigned(node, where)
    if depth > _MAX_HELPER_DEPTH or not isinstance(node, (ast.Call, ast.ListComp)):
        return None
    if isinstance(node, ast.ListComp):  # ``[(tf.clip_by_norm(g, 5.0), v) for g, v in pairs]``
        return _pairs_part(node.generators[0].iter, where, part, depth + 1) if _keeps_variables(node) else None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "compute_gradients":
        found = argument(node, 0, "loss") if part == LOSS else argument(node, 1, "var_list")
        return None if found is None else OptimizerPart(found, where)
    if not (isinstance(func, ast.Name) and where.scope.lookup(func.id) is None) or node.keywords:
        return None
    if func.id in ("list", "tuple") and len(node.args) == 1:
        return _pairs_part(node.args[0], where, part, depth + 1)
    if func.id != "zip" or len(node.args) != 2:
        return None
    if part == PARAMS:
        return OptimizerPart(node.args[1], where)
    return _gradients_loss(node.args[0], where, depth + 1)


def _gradients_loss(node: ast.expr, where: Context, depth: int) -> Optional[OptimizerPart]:
    """What gradients are taken of: ``ys`` of ``tf.gradients(ys, xs, ...)``, ``loss`` of
    ``K.gradients(loss, variables)``, through a name or a comprehension that clips them."""
    node, where = _assigned(node, where)
    if depth > _MAX_HELPER_DEPTH:
        return None
    if isinstance(node, ast.ListComp) and len(node.generators) == 1:
        return _gradients_loss(node.generators[0].iter, where, depth + 1)
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name != "gradients":
        return None
    found = keyword_value(node, "loss") or argument(node, 0, "ys")
    return None if found is None else OptimizerPart(found, where)


def _assigned(node: ast.expr, where: Context) -> Tuple[ast.expr, Context]:
    """The value a name holds when one assignment alone reaches it; else the node itself."""
    if not isinstance(node, ast.Name):
        return node, where
    bindings = reaching(where.scope, node.id, where.seq, where.blocks)
    if len(bindings) != 1 or not isinstance(bindings[0], Assignment):
        return node, where
    binding = bindings[0]
    return binding.value, Context(binding.scope, binding.seq, binding.blocks)


def _keeps_variables(node: ast.ListComp) -> bool:
    """``[(f(g), v) for g, v in pairs]``: each pair's variable kept, second, as it was."""
    if len(node.generators) != 1 or not isinstance(node.elt, ast.Tuple) or len(node.elt.elts) != 2:
        return False
    target = node.generators[0].target
    variable = node.elt.elts[1]
    return (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(target.elts[1], ast.Name)
        and isinstance(variable, ast.Name)
        and variable.id == target.elts[1].id
    )


def _get_updates_argument(call: ast.Call, name: str) -> Optional[ast.expr]:
    """``loss`` or ``params`` of ``get_updates``, new ``(loss, params)`` or old ``(params, constraints, loss)``."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    args = call.args
    if any(isinstance(a, ast.Starred) for a in args):
        return None
    other = "params" if name == "loss" else "loss"
    if len(args) >= 3:
        return args[2 if name == "loss" else 0]
    if len(args) == 2:
        return args[0 if name == "loss" else 1]
    if len(args) == 1 and any(kw.arg == other for kw in call.keywords):
        return args[0]
    return None


def _weights_attribute(node: ast.expr) -> Optional[ast.Attribute]:
    """``model.trainable_weights`` in ``params``, also when a part of it is trained.

    Fine-tuning trains a slice (``model.trainable_weights[-4:]``) or a selection
    (``[w for w in model.trainable_weights if ...]``): the model is the same, and so
    are its learning phase and its updates.
    """
    if isinstance(node, ast.Subscript):
        node = node.value
    elif isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
        node = node.generators[0].iter
    if isinstance(node, ast.Attribute) and node.attr in WEIGHT_ATTRIBUTES:
        return node
    return None


# -- feeds -------------------------------------------------------------------------


def feed(call: ast.Call) -> Optional[ast.expr]:
    """The list a call of the step passes (K.function's callable takes ``inputs``)."""
    return argument(call, 0, "inputs")


def site_context(site: CallRecord) -> Context:
    return Context(site.scope, site.seq, site.blocks)


def feed_edit(context: RuleContext, fed: ast.expr, where: Context) -> Edit:
    """``True`` as the last value fed, in a form right for the feed's type.

    In the literal; ``feed + [True]`` for a name bound only to lists,
    ``feed + (True,)`` for one bound only to tuples; ``[*feed, True]`` for
    anything else (a tuple from a generator, an attribute, a call), which is
    right for both.
    """
    if isinstance(fed, (ast.List, ast.Tuple)):
        return AppendElement(context.ref(fed), "True")
    if isinstance(fed, ast.BinOp) and isinstance(fed.op, ast.Add) and isinstance(fed.right, ast.List):
        return AppendElement(context.ref(fed.right), "True")
    if isinstance(fed, ast.Name):
        bindings = reaching(where.scope, fed.id, where.seq, where.blocks)
        assigned = [b.value for b in bindings if isinstance(b, Assignment)]
        if bindings and len(assigned) == len([b for b in bindings if not b.augments]):
            if assigned and all(isinstance(v, ast.Tuple) for v in assigned) and all(
                isinstance(b, Assignment) for b in bindings
            ):
                return Concatenate(context.ref(fed), "(True,)")
            if assigned and all(_is_list(v) for v in assigned):
                return Concatenate(context.ref(fed), "[True]")
    return StarAppend(context.ref(fed), "True")


def _is_list(node: ast.expr) -> bool:
    """A list display, a list comprehension, a slice of one, or a concatenation with one."""
    if isinstance(node, (ast.List, ast.ListComp)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_list(node.left) or _is_list(node.right)
    return False


def takes_feed_dict(record: CallRecord) -> bool:
    """True when the step's ``function(...)`` call can take ``feed_dict=``.

    K.function accepts it in tf.keras and in standalone keras (2.1.0 and
    later) on the TensorFlow backend; not on Theano or CNTK.  A call that
    already passes one, or passes ``**kwargs``, is left to a person.
    """
    module = backend_module(record)
    if module is None or module.endswith(("theano_backend", "cntk_backend")):
        return False
    return not any(kw.arg is None or kw.arg == "feed_dict" for kw in record.node.keywords)


def _call_sites(context: RuleContext, record: CallRecord) -> Tuple[List[CallRecord], bool]:
    """The calls of the step this file shows, and whether it may be called some other way.

    It *escapes* when it may be called where no edit can reach: returned from a
    function, kept in a container, passed to a wrapper or another object.
    """
    sites, escapes = _sites_of(context, record.node, 0, frozenset())
    unique = {id(site.node): site for site in sites}
    return sorted(unique.values(), key=lambda s: s.seq), escapes


def _sites_of(context: RuleContext, value: ast.expr, depth: int, builders) -> Tuple[List[CallRecord], bool]:
    """Calls of what ``value`` evaluates to; ``builders`` are calls that build it, not call it."""
    model = context.model
    kept = model.kept.get(id(value))
    if kept is None or depth > _MAX_HELPER_DEPTH:
        return [], True
    scope, name = kept.scope, kept.name
    if kept.how == "return":
        return _helper_sites(context, scope, depth, builders)
    if kept.how == "attr":
        calls = scope.cls.attr_calls.get(name, ())
        sites = [c for c in calls if c.node is not value and id(c.node) not in builders]
        # ``self.step`` read other than as a callee: handed to something we cannot follow.
        used_otherwise = scope.cls.attr_reads.get(name, 0) > len(calls)
        return sites, used_otherwise or not sites
    binding = next((b for b in scope.bindings.get(name, ()) if b.value is value), None)
    if binding is None:
        return [], True
    sites = [r for r in scope.calls.get(name, ()) if binding in reaching(scope, name, r.seq, r.blocks)]
    reads = scope.reads.get(name, 0)
    calls = len(scope.calls.get(name, ()))
    for other in model.scopes:
        if other is not scope and name not in other.bindings and other.lookup(name) is scope:
            sites.extend(other.calls.get(name, ()))
            reads += other.reads.get(name, 0)
            calls += len(other.calls.get(name, ()))
    escapes = reads > calls  # the name is passed, stored or returned somewhere
    for ret, seq, blocks in scope.returns:
        if isinstance(ret.value, ast.Name) and ret.value.id == name and binding in reaching(scope, name, seq, blocks):
            more, _ = _helper_sites(context, scope, depth, builders)
            sites.extend(more)
            escapes = True
    return sites, escapes or not sites


def _helper_sites(context: RuleContext, helper: Scope, depth: int, builders) -> Tuple[List[CallRecord], bool]:
    """Calls of the step through the results of a helper that returns it.

    The helper may also be called from other files, so the step escapes.
    """
    calls = [invocation.call for invocation in function_calls(context, helper)]
    builders = builders | {id(call) for call in calls}
    sites = []
    for call in calls:
        more, _ = _sites_of(context, call, depth + 1, builders)
        sites.extend(more)
    return sites, True
