"""The rules: find training steps and turn them into findings with their edits.

A *training step* is a Keras backend ``function(inputs, outputs, updates)``
call whose updates come from an optimizer's ``get_updates(...)``.  Every
decision (is it a step, what is missing, what text fixes it, where) is made
here, so that flake8, lp-fix and the editor server can never disagree.
"""
import ast
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from flake8_learning_phase.core._backend import backend_member
from flake8_learning_phase.core._codes import LP100, LP101, LP200, MESSAGES, OUTSIDE_CALLERS
from flake8_learning_phase.core._findings import APPEND, CONCAT, IMPORT, CallSite, Edit, Finding, NodeRef, Step
from flake8_learning_phase.core._index import (
    ASSIGN,
    DEF,
    IMPORT as IMPORT_BINDING,
    CallRecord,
    ModuleIndex,
    Scope,
    dotted,
    reaching,
)
from flake8_learning_phase.core._settings import Settings
from flake8_learning_phase.core._values import (
    ATTRIBUTE,
    CALL,
    MODEL_UPDATES,
    OPTIMIZER,
    PARAMETER,
    PHASE,
    UNKNOWN,
    Context,
    flatten,
    literal_items,
)

# Where the trained model shows itself: get_updates(loss, <model>.<one of these>).
WEIGHT_ATTRIBUTES = ("trainable_weights", "trainable_variables", "weights")
# An inputs term that could hold the learning phase without our seeing it.
_OPAQUE_INPUTS = (CALL, UNKNOWN)
# An updates term that could hold the model's updates without our seeing it.
_OPAQUE_UPDATES = (CALL, UNKNOWN, PARAMETER, ATTRIBUTE)
_MAX_HELPER_DEPTH = 3


def find(index: ModuleIndex, lines: Sequence[str], settings: Settings) -> List[Finding]:
    """Every finding in the module, in source order."""
    columns = _Columns(lines)
    phase_is_int = _phase_is_int(index)
    findings: List[Finding] = []
    for record in _function_calls(index):
        findings.extend(_check_call(index, record, columns, phase_is_int, settings))
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings


def _function_calls(index: ModuleIndex) -> Iterable[CallRecord]:
    """Calls of the backend's ``function``, however it was imported."""
    for record in index.attr_function_calls:
        if backend_member(record.node.func, record.scope) == "function":
            yield record
    for scope in index.scopes:
        for name in index.function_imports.intersection(scope.calls):
            for record in scope.calls[name]:
                if backend_member(record.node.func, scope) == "function":
                    yield record


def _phase_is_int(index: ModuleIndex) -> bool:
    """True when the module calls the backend's ``set_learning_phase`` anywhere.

    The phase is then a Python int, and adding it to a step's inputs would
    break the code (issue 2 names the top-level call; a call inside a function
    may run before any step is built, so it silences the module too).
    """
    return any(
        backend_member(record.node.func, record.scope) == "set_learning_phase"
        for record in index.phase_setters
    )


def _argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def _check_call(index, record, columns, phase_is_int, settings) -> List[Finding]:
    call = record.node
    inputs = _argument(call, 0, "inputs")
    updates = _argument(call, 2, "updates")
    if inputs is None or updates is None:
        return []
    context = Context(record.scope, record.seq, record.blocks)
    update_terms = flatten(updates, context)
    optimizer_terms = [t for t in update_terms if t.kind == OPTIMIZER]
    if not optimizer_terms:
        return []  # not a training step: no optimizer updates
    input_terms = flatten(inputs, context)
    has_phase = any(t.kind == PHASE for t in input_terms)
    model = _trained_model(optimizer_terms)
    sites, escapes = _call_sites(index, record)
    step = Step(
        call=columns.ref(call),
        inputs=columns.ref(inputs),
        updates=columns.ref(updates),
        model=model,
        call_sites=tuple(CallSite(columns.ref(s.node), _feed_ref(s.node, columns)) for s in sites),
        escapes=escapes,
    )
    findings = []
    if not has_phase and not phase_is_int and not any(t.kind in _OPAQUE_INPUTS for t in input_terms):
        findings.append(_lp100(index, record, inputs, context, sites, step, columns, settings))
    if has_phase and not phase_is_int:
        findings.extend(_lp101(inputs, context, sites, step, columns))
    if (
        model is not None
        and not any(t.kind == MODEL_UPDATES for t in update_terms)
        and not any(t.kind in _OPAQUE_UPDATES for t in update_terms)
    ):
        edit = Edit(step.updates, CONCAT, model + ".updates")
        findings.append(_finding(LP200, call, columns, step, (edit,), None, model=model))
    return findings


def _finding(code, node, columns, step, edits, manual, calls_fed=(), **fields) -> Finding:
    """A finding reported at ``node``, the ``K.function`` call or a call of the step."""
    at = columns.ref(node)
    end_line, end_col = columns.end(node)
    message = MESSAGES[code].format(**fields)
    return Finding(code, at.line, at.col, message, step, tuple(edits), manual, tuple(calls_fed), end_line, end_col)


# -- LP100 ---------------------------------------------------------------


def _lp100(index, record, inputs, context, sites, step, columns, settings) -> Finding:
    spelling = _phase_spelling(index, record, settings)
    shown = "K.{}()".format(settings.learning_phase) if spelling is None else spelling[0]
    if spelling is None:
        manual = "cannot tell how to spell the backend here"
        return _finding(LP100, record.node, columns, step, (), manual, phase=shown)
    phase, import_edit = spelling
    edits = [_inputs_edit(index, inputs, context, phase, columns)]
    if import_edit is not None:
        edits.append(import_edit)
    known_inputs = literal_items(inputs, context, classify=False)
    manual = OUTSIDE_CALLERS if step.escapes else None
    calls_fed = []
    for site in sites:
        feed = _feed(site.node)
        if feed is None:
            manual = "a call of this step passes no list to extend; feed True as the last value"
            continue
        feed_context = Context(site.scope, site.seq, site.blocks)
        feed_items = literal_items(feed, feed_context, classify=False)
        if known_inputs is not None and feed_items is not None and len(feed_items) > len(known_inputs):
            continue  # already feeds one value more than the inputs: it becomes the phase
        edits.append(_feed_edit(feed, feed_context, columns))
        calls_fed.append(columns.ref(site.node))
    return _finding(LP100, record.node, columns, step, edits, manual, calls_fed, phase=shown)


def _phase_spelling(index, record, settings) -> Optional[Tuple[str, Optional[Edit]]]:
    """How this file spells the learning phase, through its spelling of ``function``.

    ``K.function`` -> ``K.learning_phase()``; a from-import of ``function`` ->
    the imported name, adding it to that import when needed (issue 3).
    """
    func = record.node.func
    name = settings.learning_phase
    if isinstance(func, ast.Attribute):
        base = dotted(func.value)
        return None if base is None else ("{}.{}()".format(base, name), None)
    owner = record.scope.lookup(func.id)
    binding = owner.bindings[func.id][-1]
    if binding.kind != IMPORT_BINDING or not isinstance(binding.node, ast.ImportFrom):
        return None
    module = binding.value.rpartition(".")[0]
    for local, bindings in owner.bindings.items():
        if any(b.kind == IMPORT_BINDING and b.value == module + "." + name for b in bindings):
            return "{}()".format(local), None
    if record.scope.lookup(name) is not None:
        return None  # the name means something else here: do not shadow it
    return "{}()".format(name), Edit(_statement_ref(binding.node), IMPORT, name)


def _statement_ref(node: ast.stmt) -> NodeRef:
    """Statements start at their first token: a byte and a character column agree there."""
    return NodeRef(node.lineno, node.col_offset, type(node).__name__)


def _inputs_edit(index, inputs, context, phase, columns) -> Edit:
    """The learning phase as the last input: in the literal, where it is bound, or ``+ [...]``."""
    if isinstance(inputs, (ast.List, ast.Tuple)):
        return Edit(columns.ref(inputs), APPEND, phase)
    if isinstance(inputs, ast.BinOp) and isinstance(inputs.op, ast.Add) and isinstance(inputs.right, ast.List):
        # ``model.inputs + [y]`` -> ``model.inputs + [y, K.learning_phase()]``
        return Edit(columns.ref(inputs.right), APPEND, phase)
    if isinstance(inputs, ast.Name):
        bindings = reaching(context.scope, inputs.id, context.seq, context.blocks)
        if (
            len(bindings) == 1
            and bindings[0].kind == ASSIGN
            and bindings[0].scope is context.scope
            and isinstance(bindings[0].value, (ast.List, ast.Tuple))
            and _only_used_as_inputs(context.scope, inputs.id, index)
        ):
            return Edit(columns.ref(bindings[0].value), APPEND, phase)
    return Edit(columns.ref(inputs), CONCAT, "[{}]".format(phase))


def _only_used_as_inputs(scope: Scope, name: str, index: ModuleIndex) -> bool:
    """True when every read of ``name`` is the inputs of a backend ``function`` in ``scope``.

    Only then may its list literal get the learning phase: ``Model(inputs, ...)``
    would break with an extra placeholder.
    """
    as_inputs = 0
    for record in _function_calls(index):
        inputs = _argument(record.node, 0, "inputs")
        if record.scope is scope and isinstance(inputs, ast.Name) and inputs.id == name:
            as_inputs += 1
    if scope.reads.get(name, 0) != as_inputs:
        return False
    return not any(
        other is not scope and name in other.reads and other.lookup(name) is scope for other in index.scopes
    )


def _feed(call: ast.Call) -> Optional[ast.expr]:
    return _argument(call, 0, "inputs")


def _feed_ref(call: ast.Call, columns) -> Optional[NodeRef]:
    feed = _feed(call)
    return None if feed is None else columns.ref(feed)


def _feed_edit(feed, context, columns) -> Edit:
    """``True`` as the last value fed: in the literal, or ``feed + [True]``."""
    if isinstance(feed, (ast.List, ast.Tuple)):
        return Edit(columns.ref(feed), APPEND, "True")
    if isinstance(feed, ast.BinOp) and isinstance(feed.op, ast.Add) and isinstance(feed.right, ast.List):
        return Edit(columns.ref(feed.right), APPEND, "True")
    if isinstance(feed, ast.Name):
        bindings = reaching(context.scope, feed.id, context.seq, context.blocks)
        if bindings and all(b.kind == ASSIGN and isinstance(b.value, ast.Tuple) for b in bindings):
            return Edit(columns.ref(feed), CONCAT, "(True,)")
    return Edit(columns.ref(feed), CONCAT, "[True]")


# -- LP101 ---------------------------------------------------------------


def _lp101(inputs, context, sites, step, columns) -> List[Finding]:
    """Calls whose literal feed stops before the learning phase's position."""
    items = literal_items(inputs, context)
    if items is None:
        return []
    phase_at = next((i for i, t in enumerate(items) if t.kind == PHASE), None)
    if phase_at is None:
        return []
    findings = []
    for site in sites:
        feed = _feed(site.node)
        if feed is None:
            continue
        feed_context = Context(site.scope, site.seq, site.blocks)
        fed = literal_items(feed, feed_context, classify=False)
        if fed is None or len(fed) > phase_at:
            continue
        if len(fed) == phase_at:
            edit = _feed_edit(feed, feed_context, columns)
            findings.append(_finding(LP101, site.node, columns, step, [edit], None, [columns.ref(site.node)]))
        else:
            manual = "the feed misses more than the learning phase"
            findings.append(_finding(LP101, site.node, columns, step, [], manual))
    return findings


# -- LP200 ---------------------------------------------------------------


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


# -- call sites ----------------------------------------------------------


def _call_sites(index: ModuleIndex, record: CallRecord) -> Tuple[List[CallRecord], bool]:
    """The calls of the step this file shows, and whether callers may be elsewhere."""
    sites, escapes = _sites_of(index, index.storage.get(id(record.node)), record.node, 0)
    unique = {id(site.node): site for site in sites}
    return sorted(unique.values(), key=lambda s: s.seq), escapes


def _sites_of(index, storage, value, depth) -> Tuple[List[CallRecord], bool]:
    if storage is None or depth > _MAX_HELPER_DEPTH:
        return [], True
    kind, name, scope = storage
    if kind == "return":
        return _helper_sites(index, scope, depth)
    if kind == "attr":
        sites = list(scope.cls.attr_calls.get(name, ()))
        return sites, not sites
    binding = next((b for b in scope.bindings.get(name, ()) if b.value is value), None)
    if binding is None:
        return [], True
    sites = [
        r for r in scope.calls.get(name, ()) if binding in reaching(scope, name, r.seq, r.blocks)
    ]
    for other in index.scopes:
        if other is not scope and name not in other.bindings and other.lookup(name) is scope:
            sites.extend(other.calls.get(name, ()))
    escapes = False
    for ret, seq, blocks in scope.returns:
        if isinstance(ret.value, ast.Name) and ret.value.id == name and binding in reaching(scope, name, seq, blocks):
            more, _ = _helper_sites(index, scope, depth)
            sites.extend(more)
            escapes = True
    return sites, escapes or not sites


def _helper_sites(index, helper: Scope, depth) -> Tuple[List[CallRecord], bool]:
    """Calls of the step through the results of a helper that returns it.

    The helper may also be called from other files, so the step escapes.
    """
    node = helper.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [], True
    sites = []
    if helper.cls is not None:
        calls = helper.cls.attr_calls.get(node.name, ())
    else:
        calls = [
            r
            for scope in index.scopes
            for r in scope.calls.get(node.name, ())
            if _is_def(scope.lookup(node.name), node.name, node)
        ]
    for call in calls:
        more, _ = _sites_of(index, index.storage.get(id(call.node)), call.node, depth + 1)
        sites.extend(more)
    return sites, True


def _is_def(scope, name, node) -> bool:
    return scope is not None and any(b.kind == DEF and b.value is node for b in scope.bindings[name])


class _Columns:
    """Turns ``ast`` byte columns into character columns, only where a line needs it."""

    def __init__(self, lines: Sequence[str]):
        self.lines = lines
        self.encoded: Dict[int, bytes] = {}  # line number -> UTF-8 text, for non-ASCII lines

    def ref(self, node: ast.expr) -> NodeRef:
        return NodeRef(node.lineno, self._column(node.lineno, node.col_offset), type(node).__name__)

    def end(self, node: ast.expr) -> Tuple[Optional[int], Optional[int]]:
        """Where ``node`` ends; ``ast`` knows only from Python 3.8 on."""
        line = getattr(node, "end_lineno", None)
        if line is None:
            return None, None
        return line, self._column(line, node.end_col_offset)

    def _column(self, line: int, col: int) -> int:
        encoded = self.encoded.get(line)
        if encoded is None:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            if text.isascii():
                return col
            encoded = self.encoded[line] = text.encode("utf-8")
        return len(encoded[:col].decode("utf-8", "replace"))
