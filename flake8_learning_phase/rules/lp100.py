"""LP100: a training step whose inputs lack the learning phase."""
import ast
from typing import Iterator, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import (
    CALL_SITE,
    AppendElement,
    Concatenate,
    Edit,
    Finding,
    ImportName,
    Related,
)
from flake8_learning_phase.core.module import Assignment, Import, ModuleModel, Scope, dotted, reaching
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.rules._keras import calls_backend
from flake8_learning_phase.rules._steps import (
    OPAQUE_INPUTS,
    PREFILTER,
    Step,
    argument,
    feed,
    feed_edit,
    site_context,
    steps,
)
from flake8_learning_phase.rules._values import PHASE, literal_items

# What lp-fix prints for a step whose callers it cannot see.
OUTSIDE_CALLERS = "callers outside this file must feed True as the last value"

_BAD = '''\
from keras import backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss, model.trainable_weights) + model.updates
    train = K.function([x, y], [loss], updates=updates)
    for xb, yb in batches:
        train([xb, yb])
'''
_GOOD = '''\
from keras import backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss, model.trainable_weights) + model.updates
    train = K.function([x, y, K.learning_phase()], [loss], updates=updates)
    for xb, yb in batches:
        train([xb, yb, True])
'''


def check(context: RuleContext) -> Iterator[Finding]:
    for step in steps(context):
        if (
            not step.phase_is_int
            and not any(t.kind == PHASE for t in step.input_terms)
            and not any(t.kind in OPAQUE_INPUTS for t in step.input_terms)
        ):
            yield _finding(context, step)


def _finding(context: RuleContext, step: Step) -> Finding:
    record = step.record
    spelling = _phase_spelling(record, context.settings.learning_phase)
    if spelling is None:
        shown = "K.{}()".format(context.settings.learning_phase)
        manual = "cannot tell how to spell the backend here"
        return context.finding(RULE, record.node, manual=manual, phase=shown)
    phase, import_edit = spelling
    edits = [_inputs_edit(context, step, phase)]
    if import_edit is not None:
        edits.append(ImportName(context.ref(import_edit), context.settings.learning_phase))
    known_inputs = literal_items(step.inputs, step.context, classify=False)
    manual = OUTSIDE_CALLERS if step.escapes else None
    related = []
    for site in step.sites:
        fed = feed(site.node)
        if fed is None:
            manual = "a call of this step passes no list to extend; feed True as the last value"
            continue
        where = site_context(site)
        fed_items = literal_items(fed, where, classify=False)
        if known_inputs is not None and fed_items is not None and len(fed_items) > len(known_inputs):
            continue  # already feeds one value more than the inputs: it becomes the phase
        edits.append(feed_edit(context, fed, where))
        related.append(Related(context.ref(site.node), CALL_SITE))
    return context.finding(RULE, record.node, edits, manual, related, phase=phase)


def _phase_spelling(record, name: str) -> Optional[Tuple[str, Optional[ast.ImportFrom]]]:
    """How this file spells the learning phase, through its spelling of ``function``.

    ``K.function`` -> ``K.learning_phase()``; a from-import of ``function`` ->
    the imported name, with the from-import to add it to when it is missing.
    """
    func = record.node.func
    if isinstance(func, ast.Attribute):
        base = dotted(func.value)
        return None if base is None else ("{}.{}()".format(base, name), None)
    bindings = reaching(record.scope, func.id, record.seq, record.blocks)
    if len(bindings) != 1 or not isinstance(bindings[0], Import) or not isinstance(bindings[0].node, ast.ImportFrom):
        return None
    binding = bindings[0]
    owner = binding.scope
    module = binding.qualified.rpartition(".")[0]
    for local, others in owner.bindings.items():
        if any(isinstance(b, Import) and b.qualified == module + "." + name for b in others):
            return "{}()".format(local), None
    if record.scope.lookup(name) is not None:
        return None  # the name means something else here: do not shadow it
    return "{}()".format(name), binding.node


def _inputs_edit(context: RuleContext, step: Step, phase: str) -> Edit:
    """The learning phase as the last input: in the literal, where it is bound, or ``+ [...]``."""
    inputs = step.inputs
    if isinstance(inputs, (ast.List, ast.Tuple)):
        return AppendElement(context.ref(inputs), phase)
    if isinstance(inputs, ast.BinOp) and isinstance(inputs.op, ast.Add) and isinstance(inputs.right, ast.List):
        # ``model.inputs + [y]`` -> ``model.inputs + [y, K.learning_phase()]``
        return AppendElement(context.ref(inputs.right), phase)
    if isinstance(inputs, ast.Name):
        where = step.context
        bindings = reaching(where.scope, inputs.id, where.seq, where.blocks)
        if (
            len(bindings) == 1
            and isinstance(bindings[0], Assignment)
            and bindings[0].scope is where.scope
            and isinstance(bindings[0].value, (ast.List, ast.Tuple))
            and _only_used_as_inputs(context.model, where.scope, inputs.id)
        ):
            return AppendElement(context.ref(bindings[0].value), phase)
    return Concatenate(context.ref(inputs), "[{}]".format(phase))


def _only_used_as_inputs(model: ModuleModel, scope: Scope, name: str) -> bool:
    """True when every read of ``name`` is the inputs of a backend ``function`` in ``scope``.

    Only then may its list literal get the learning phase: ``Model(inputs, ...)``
    would break with an extra placeholder.
    """
    as_inputs = 0
    for record in model.calls_of("function"):
        inputs = argument(record.node, 0, "inputs")
        if (
            record.scope is scope
            and isinstance(inputs, ast.Name)
            and inputs.id == name
            and calls_backend(record, "function")
        ):
            as_inputs += 1
    if scope.reads.get(name, 0) != as_inputs:
        return False
    return not any(other is not scope and name in other.reads and other.lookup(name) is scope for other in model.scopes)


RULE = Rule(
    code="LP100",
    title="training step without the learning phase",
    message="training step inputs lack {phase}; add it and feed True last (lp-fix)",
    fix_title="Add the learning phase to this training step",
    detects=(
        "A Keras backend `function(inputs, outputs, updates)` whose updates come from an "
        "optimizer's `get_updates(...)` (a training step), and whose inputs do not contain "
        "`K.learning_phase()` or `K.symbolic_learning_phase()`. Reported at the first line "
        "of the `K.function(...)` call."
    ),
    why=(
        "`model.fit()` feeds the learning phase as True at every step. A step without it "
        "leaves the placeholder at its default, False: BatchNormalization normalises with "
        "moving statistics instead of batch statistics, and Dropout is off. The loop trains "
        "a different network than `model.fit()` would, and deep nets blow up (measured on "
        "tensorflow 1.15.5: see [Why your custom loop diverges](../why-your-loop-diverges.md))."
    ),
    fix=(
        "`lp-fix` adds the learning phase as the last input, spelled the way the file spells "
        "`function` (`K.learning_phase()`, `tf.keras.backend.learning_phase()`, or "
        "`learning_phase()` added to a `from ... import function`), and appends `True` to "
        "the feed of every call of the step that the file shows. Callers in other files "
        "are not guessed at: lp-fix prints `path:line: callers outside this file must feed "
        "True as the last value`. Until they do, K.function ignores the missing trailing "
        "value and they behave as before."
    ),
    silence=(
        "Stays silent when the module calls `set_learning_phase(...)` (the phase is then a "
        "Python int and cannot be an input), when the inputs get the learning phase on some "
        "path (`inputs += [K.learning_phase()]` under an `if`, `.append(...)`), and when the "
        "inputs come from a call it cannot see into. Silence one line with `# noqa: LP100`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), valid(_GOOD)),
    prefilter=PREFILTER,
    check=check,
)
