"""Training steps: what LP100, LP101 and LP200 all look at, found once per module.

A *training step* is a Keras backend ``function(inputs, outputs, updates)``
call whose updates come from an optimizer's ``get_updates(...)``.  This
module finds them, flattens their inputs and updates into terms, names the
trained model, and follows the step to the calls that feed it.
"""
import ast
from typing import List, NamedTuple, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AppendElement, Concatenate, Edit
from flake8_learning_phase.core.module import (
    Assignment,
    CallRecord,
    FunctionDefinition,
    ModuleModel,
    Scope,
    dotted,
    reaching,
)
from flake8_learning_phase.core.registry import Prefilter
from flake8_learning_phase.rules._keras import calls_backend
from flake8_learning_phase.rules._values import (
    ATTRIBUTE,
    CALL,
    OPTIMIZER,
    PARAMETER,
    UNKNOWN,
    Context,
    Term,
    flatten,
)

# A training step always makes an attribute call ``<optimizer>.get_updates(``; files that
# merely define or mention get_updates (8 of the 13 in the tensorflow 1.15.5 + keras 2.3.1
# corpus) need no parse.
PREFILTER = Prefilter(words=("get_updates",), pattern=r"\.\s*get_updates\s*\(")

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
    model: Optional[str]  # the trained model's expression, when there is exactly one
    sites: List[CallRecord]  # calls of the step that this file shows
    escapes: bool  # callers outside this file may exist (returned, or no call seen)
    phase_is_int: bool  # the module calls set_learning_phase: the phase is a Python int


def steps(context: RuleContext) -> List[Step]:
    """Every training step of the module (computed once, shared by the rules)."""
    return context.shared(steps, _find_steps)


def _find_steps(context: RuleContext) -> List[Step]:
    model = context.model
    phase_is_int = _phase_is_int(model)
    found = []
    for record in model.calls_of("function"):
        if not calls_backend(record, "function"):
            continue
        step = _step(model, record, phase_is_int)
        if step is not None:
            found.append(step)
    return found


def _phase_is_int(model: ModuleModel) -> bool:
    """True when the module calls the backend's ``set_learning_phase`` anywhere.

    The phase is then a Python int, and adding it to a step's inputs would
    break the code.  A call inside a function may run before any step is
    built, so it silences the whole module, like one at the top level.
    """
    return any(calls_backend(record, "set_learning_phase") for record in model.calls_of("set_learning_phase"))


def argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def _step(model: ModuleModel, record: CallRecord, phase_is_int: bool) -> Optional[Step]:
    call = record.node
    inputs = argument(call, 0, "inputs")
    updates = argument(call, 2, "updates")
    if inputs is None or updates is None:
        return None
    context = Context(record.scope, record.seq, record.blocks)
    update_terms = flatten(updates, context)
    optimizer_terms = [t for t in update_terms if t.kind == OPTIMIZER]
    if not optimizer_terms:
        return None  # not a training step: no optimizer updates
    sites, escapes = _call_sites(model, record)
    return Step(
        record=record,
        inputs=inputs,
        updates=updates,
        context=context,
        input_terms=flatten(inputs, context),
        update_terms=update_terms,
        model=_trained_model(optimizer_terms),
        sites=sites,
        escapes=escapes,
        phase_is_int=phase_is_int,
    )


# -- the trained model ---------------------------------------------------------------


def _trained_model(optimizer_terms) -> Optional[str]:
    """The model whose weights ``get_updates`` trains, when there is exactly one."""
    models = set()
    for term in optimizer_terms:
        params = _params_argument(term.node)
        if params is None:
            return None
        for piece in flatten(params, term.context):
            if piece.kind != ATTRIBUTE or piece.node.attr not in WEIGHT_ATTRIBUTES:
                return None
            base = dotted(piece.node.value)
            if base is None:
                return None
            models.add(base)
    return models.pop() if len(models) == 1 else None


def _params_argument(call: ast.Call) -> Optional[ast.expr]:
    """``params`` of ``get_updates(loss, params)`` or the old ``get_updates(params, constraints, loss)``."""
    for kw in call.keywords:
        if kw.arg == "params":
            return kw.value
    args = call.args
    if any(isinstance(a, ast.Starred) for a in args):
        return None
    if len(args) >= 3:
        return args[0]
    if len(args) == 2:
        return args[1]
    if len(args) == 1 and any(kw.arg == "loss" for kw in call.keywords):
        return args[0]
    return None


# -- feeds -------------------------------------------------------------------------


def feed(call: ast.Call) -> Optional[ast.expr]:
    """The list a call of the step passes (K.function's callable takes ``inputs``)."""
    return argument(call, 0, "inputs")


def site_context(site: CallRecord) -> Context:
    return Context(site.scope, site.seq, site.blocks)


def feed_edit(context: RuleContext, fed: ast.expr, where: Context) -> Edit:
    """``True`` as the last value fed: in the literal, or ``feed + [True]``."""
    if isinstance(fed, (ast.List, ast.Tuple)):
        return AppendElement(context.ref(fed), "True")
    if isinstance(fed, ast.BinOp) and isinstance(fed.op, ast.Add) and isinstance(fed.right, ast.List):
        return AppendElement(context.ref(fed.right), "True")
    if isinstance(fed, ast.Name):
        bindings = reaching(where.scope, fed.id, where.seq, where.blocks)
        if bindings and all(isinstance(b, Assignment) and isinstance(b.value, ast.Tuple) for b in bindings):
            return Concatenate(context.ref(fed), "(True,)")
    return Concatenate(context.ref(fed), "[True]")


# -- call sites ------------------------------------------------------------------------


def _call_sites(model: ModuleModel, record: CallRecord) -> Tuple[List[CallRecord], bool]:
    """The calls of the step this file shows, and whether callers may be elsewhere."""
    sites, escapes = _sites_of(model, record.node, 0)
    unique = {id(site.node): site for site in sites}
    return sorted(unique.values(), key=lambda s: s.seq), escapes


def _sites_of(model: ModuleModel, value: ast.expr, depth: int) -> Tuple[List[CallRecord], bool]:
    kept = model.kept.get(id(value))
    if kept is None or depth > _MAX_HELPER_DEPTH:
        return [], True
    scope, name = kept.scope, kept.name
    if kept.how == "return":
        return _helper_sites(model, scope, depth)
    if kept.how == "attr":
        sites = list(scope.cls.attr_calls.get(name, ()))
        return sites, not sites
    binding = next((b for b in scope.bindings.get(name, ()) if b.value is value), None)
    if binding is None:
        return [], True
    sites = [r for r in scope.calls.get(name, ()) if binding in reaching(scope, name, r.seq, r.blocks)]
    for other in model.scopes:
        if other is not scope and name not in other.bindings and other.lookup(name) is scope:
            sites.extend(other.calls.get(name, ()))
    escapes = False
    for ret, seq, blocks in scope.returns:
        if isinstance(ret.value, ast.Name) and ret.value.id == name and binding in reaching(scope, name, seq, blocks):
            more, _ = _helper_sites(model, scope, depth)
            sites.extend(more)
            escapes = True
    return sites, escapes or not sites


def _helper_sites(model: ModuleModel, helper: Scope, depth: int) -> Tuple[List[CallRecord], bool]:
    """Calls of the step through the results of a helper that returns it.

    The helper may also be called from other files, so the step escapes.
    """
    node = helper.node
    if not helper.is_function:
        return [], True
    if helper.cls is not None:
        calls = helper.cls.attr_calls.get(node.name, ())
    else:
        calls = [
            r
            for scope in model.scopes
            for r in scope.calls.get(node.name, ())
            if _is_def(scope.lookup(node.name), node.name, node)
        ]
    sites = []
    for call in calls:
        more, _ = _sites_of(model, call.node, depth + 1)
        sites.extend(more)
    return sites, True


def _is_def(scope: Optional[Scope], name: str, node) -> bool:
    return scope is not None and any(
        isinstance(b, FunctionDefinition) and b.node is node for b in scope.bindings[name]
    )
