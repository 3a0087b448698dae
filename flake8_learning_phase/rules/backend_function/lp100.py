"""LP100: a training step whose inputs lack the learning phase."""
import ast
from typing import Iterator, List, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import CALL_SITE, AddKeyword, AppendElement, Concatenate, Edit
from flake8_learning_phase.core.findings import Finding, ImportName, Related
from flake8_learning_phase.core.module import Assignment, Import, ModuleModel, Scope, dotted, reaching
from flake8_learning_phase.core.registry import FIX_SOMETIMES, SAFE, Rule, invalid, valid
from flake8_learning_phase.keras.backend import calls_backend
from flake8_learning_phase.keras.backend import UNSEEN_MODEL
from flake8_learning_phase.rules.backend_function.steps import (
    OPAQUE_INPUTS,
    PREFILTER,
    Step,
    feed,
    feed_edit,
    phase_matters,
    site_context,
    steps,
    takes_feed_dict,
)
from flake8_learning_phase.flow.calls import argument, parameter_arguments
from flake8_learning_phase.flow.terms import PARAMETER, PHASE, flatten, literal_items

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
        terms = step.input_terms
        if step.phase_is_int or any(t.kind in OPAQUE_INPUTS or t.kind == PHASE for t in terms):
            continue
        if any(kw.arg == "feed_dict" for kw in step.record.node.keywords):
            continue  # fed by the step itself (what lp-fix writes), or by a dict we cannot see into
        matters = phase_matters(context, step)
        if matters is False:
            continue  # every model it runs is seen, and none has a phase-dependent layer
        if all(_parameter_lacks_phase(context, t) for t in terms if t.kind == PARAMETER):
            yield _finding(context, step, "add it and feed True last" if matters else UNSEEN_MODEL)


def _parameter_lacks_phase(context: RuleContext, term) -> bool:
    """True when every call of the enclosing function in this file passes inputs without the phase.

    A parameter whose callers cannot all be seen may already hold it (a
    caller that extended the list with the learning phase): say nothing.
    """
    arguments = parameter_arguments(context, term)
    if not arguments:
        return False
    for argument_node, where in arguments:
        terms = flatten(argument_node, where)
        if any(t.kind in OPAQUE_INPUTS or t.kind in (PHASE, PARAMETER) for t in terms):
            return False
    return True


def _finding(context: RuleContext, step: Step, advice: str) -> Finding:
    record = step.record
    spelling = _phase_spelling(record, context.settings.learning_phase)
    if spelling is None:
        shown = "K.{}()".format(context.settings.learning_phase)
        manual = "cannot tell how to spell the backend here: add the learning phase to line {}".format(
            record.node.lineno
        )
        return context.finding(RULE, record.node, manual=manual, phase=shown, advice=advice)
    phase, import_from = spelling
    edits: List[Edit] = []
    if import_from is not None:
        edits.append(ImportName(context.ref(import_from), context.settings.learning_phase))
    feeds = _feed_edits(context, step)
    if feeds is not None and not any(t.kind == PARAMETER for t in step.input_terms):
        # Every caller is in this file and can be fed: the phase becomes an input, fed True.
        edits.insert(0, _inputs_edit(context, step, phase))
        related = []
        for site, edit in feeds:
            edits.append(edit)
            related.append(Related(context.ref(site.node), CALL_SITE))
        return context.finding(RULE, record.node, edits, None, related, phase=phase, advice=advice)
    if takes_feed_dict(step.record):
        # Some caller cannot be edited (another file, a wrapper, a container): the step
        # feeds the phase itself, so the fix takes effect without them.
        edits.append(AddKeyword(context.ref(record.node), "feed_dict", "{%s: True}" % phase))
        return context.finding(RULE, record.node, edits, phase=phase, advice=advice)
    manual = "add {} to the inputs at line {} and feed True last in every call".format(phase, record.node.lineno)
    return context.finding(RULE, record.node, manual=manual, phase=phase, advice=advice)


def _feed_edits(context: RuleContext, step: Step) -> Optional[List[Tuple[object, Edit]]]:
    """An edit per call site that appends True to its feed; None when some caller cannot be fed."""
    if step.escapes:
        return None
    known_inputs = literal_items(step.inputs, step.context, classify=False)
    edits = []
    for site in step.sites:
        fed = feed(site.node)
        if fed is None:
            return None
        where = site_context(site)
        fed_items = literal_items(fed, where, classify=False)
        if known_inputs is not None and fed_items is not None and len(fed_items) > len(known_inputs):
            continue  # already feeds one value more than the inputs: it becomes the phase
        edits.append((site, feed_edit(context, fed, where)))
    return edits


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


def feeds_the_phase_itself(finding: Finding) -> bool:
    """The fallback fix: ``feed_dict={K.learning_phase(): True}`` on the step itself."""
    return any(isinstance(edit, AddKeyword) and edit.name == "feed_dict" for edit in finding.edits)


RULE = Rule(
    code="LP100",
    title="training step without the learning phase",
    message="training step inputs lack {phase}; {advice}",
    fix_title="Add the learning phase to this training step",
    detects=(
        "A Keras backend `function(inputs, outputs, updates)` whose updates come from an "
        "optimizer (a training step): a Keras optimizer's `get_updates(...)`, or the op of a "
        "TensorFlow optimizer's `minimize(loss, var_list=...)` or `apply_gradients(...)` (the "
        "DDPG actor's `apply_gradients(zip(tf.gradients(model.output, weights, -action_grads), "
        "weights))`; an op the list sliced away, `[op][1:]`, trains nothing). Its "
        "inputs do not contain "
        "`K.learning_phase()` or `K.symbolic_learning_phase()`, when the phase matters: the "
        "trained model, or a model the loss applies (`netD(fake)`), runs BatchNormalization, "
        "Dropout (and its variants), GaussianNoise or an RNN with dropout without its own "
        "`training=`. When the trained model's construction cannot be seen (a library "
        "builder, a loaded model, `model = get_model()` with the builder in no file of the "
        "project), it is reported too, and the message says it matters if the model has "
        "BatchNormalization or Dropout. A model parameter no visible call passes is judged by "
        "the networks its own module's builders return (a library module that builds and "
        "trains its models); with no such builder it is unseen. Inputs that come from a parameter are "
        "judged by what the calls of the function in the same file pass. Reported at the "
        "first line of the `K.function(...)` call."
    ),
    why=(
        "`model.fit()` feeds the learning phase as True at every step. A step without it "
        "leaves the placeholder at its default, False: BatchNormalization normalises with "
        "moving statistics instead of batch statistics, and Dropout is off. The loop trains "
        "a different network than `model.fit()` would, and deep nets blow up (measured on "
        "tensorflow 1.15.5: see [Why your custom loop diverges](../why-your-loop-diverges.md))."
    ),
    fix=(
        "When every call of the step is in the file and each feed can be extended, `lp-fix` "
        "adds the learning phase as the last input, spelled the way the file spells "
        "`function` (`K.learning_phase()`, `tf.keras.backend.learning_phase()`, or "
        "`learning_phase()` added to a `from ... import function`), and appends `True` to "
        "every feed: in a literal list, as `feed + [True]` for a list, `[*feed, True]` for a "
        "tuple or a feed of unknown type. When some caller cannot be edited (the step is "
        "returned, kept in a container, handed to a wrapper, called from another file) or the "
        "inputs come from a parameter, it adds `feed_dict={K.learning_phase(): True}` to the "
        "`K.function(...)` call instead (tf.keras, and standalone keras 2.1.0 or later on "
        "TensorFlow), so the step feeds the phase itself. Where neither is possible (Theano, "
        "a `**kwargs` call), the finding stays, with a note naming the line to edit."
    ),
    silence=(
        "Stays silent when every model the step runs is seen and none has a phase-dependent "
        "layer without its own `training=`, when the module, or a project module that imports "
        "it, calls `set_learning_phase(...)` (the phase is then a Python int), when the inputs get the learning phase on some "
        "path (`inputs += [K.learning_phase()]` under an `if`, `.append(...)`), when the call "
        "passes `feed_dict=`, when the inputs come from a call it cannot see into, and when "
        "they come from a parameter whose callers are not in the file (a caller may have added "
        "the phase). Silence one line with `# noqa: LP100`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), valid(_GOOD)),
    prefilter=PREFILTER,
    check=check,
    fixability=FIX_SOMETIMES,
    safety=SAFE,
    # The feed_dict fallback feeds True at every call, also calls that may not train.
    unsafe_when=feeds_the_phase_itself,
)
