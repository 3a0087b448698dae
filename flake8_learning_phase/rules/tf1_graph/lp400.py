"""LP400: Keras phase-dependent layers trained by a TF 1.x train op run without a true learning phase."""
import ast
from typing import Iterator, Optional, Set

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AddEntry, AddKeyword, Finding
from flake8_learning_phase.core.module import Assignment, reaching
from flake8_learning_phase.core.records import replace
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.keras.backend import is_phase_call
from flake8_learning_phase.flow.terms import Context
from flake8_learning_phase.rules.tf1_graph.examples import session_script
from flake8_learning_phase.rules.tf1_graph.graph import PREFILTER, KerasUse, Run, Training, graph
from flake8_learning_phase.rules.tf1_graph.keras_updates import ungroupable_updates
from flake8_learning_phase.rules.tf1_graph.syntax import (
    constant_value,
    dict_literal,
    is_constant,
    phase_pinned,
    phase_spelling,
    record_context,
    tensorflow_alias,
)
from flake8_learning_phase.rules.tf1_graph.trained import frozen

_BAD = session_script("Dropout(0.3)")
_GOOD = _BAD.replace("{features: xb, labels: yb}", "{features: xb, labels: yb, K.learning_phase(): 1}")
_BAD_MODEL_FN = '''\
import tensorflow as tf


def model_fn(features, labels, mode):
    net = tf.keras.Sequential([tf.keras.layers.Dense(16), tf.keras.layers.Dropout(0.3), tf.keras.layers.Dense(1)])
    predictions = net(features)
    loss = tf.losses.mean_squared_error(labels, predictions)
    train_op = tf.train.AdamOptimizer().minimize(loss, tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions, loss, train_op)
'''
_GOOD_MODEL_FN = _BAD_MODEL_FN.replace("net(features)", "net(features, training=mode == tf.estimator.ModeKeys.TRAIN)")
_WITH_UPDATES = ("feed the learning phase 1 at line {} only once the Keras update ops run with the train op "
                 "at line {} (LP401)")
# Words in a feed key that may stand for the learning phase under another name (``self.phase``).
_PHASE_WORDS = ("phase", "learning", "training")


def check(context: RuleContext) -> Iterator[Finding]:
    found = graph(context)
    if not found.trainings or phase_pinned(context.model):
        return
    reported: Set[int] = set()
    for training in found.trainings:
        uses = [u for u in training.keras
                if u.info.phase_dependent and u.explicit is None and not frozen(training, u)]
        if not uses:
            continue
        for run in training.runs:
            if run.estimator:
                for use in uses:
                    if isinstance(use.node, ast.Call) and id(use.node) not in reported:
                        reported.add(id(use.node))
                        yield _model_fn_finding(context, training, use)
            elif id(run.record.node) not in reported:
                reported.add(id(run.record.node))
                finding = _run_finding(context, run)
                if finding is not None and finding.edits and ungroupable_updates(context, found, training):
                    # fed alone, training normalises with batch statistics that inference, reading
                    # the never-updated moving ones, never sees: worse than neither (measured)
                    finding = replace(finding, edits=(), manual=_WITH_UPDATES.format(
                        run.record.node.lineno, training.op.node.lineno))
                if finding is not None:
                    yield finding


def _run_finding(context: RuleContext, run: Run) -> Optional[Finding]:
    call = run.record.node
    where = record_context(run.record)
    spelling = phase_spelling(context.model)
    shown = spelling or "K.learning_phase()"
    if any(kw.arg is None for kw in call.keywords):
        return None  # ``**kwargs`` may feed it
    if run.feed is None:
        if spelling is None:
            return context.finding(RULE, call, manual=_MANUAL.format(call.lineno), phase=shown)
        edit = AddKeyword(context.ref(call), "feed_dict", "{%s: 1}" % spelling)
        return context.finding(RULE, call, [edit], phase=shown)
    literal = dict_literal(run.feed, where)
    fed = None if literal is None else _phase_fed(literal, where)
    if fed is False:
        manual = "the run at line {} feeds the learning phase a false value: feed 1 to train".format(call.lineno)
        return context.finding(RULE, call, manual=manual, phase=shown)
    if literal is None or fed is not None:
        return None  # fed true, or a feed we cannot see into may hold the phase
    if spelling is None or (isinstance(run.feed, ast.Name) and not _only_read_here(run.feed, where)):
        return context.finding(RULE, call, manual=_MANUAL.format(call.lineno), phase=shown)
    return context.finding(RULE, call, [AddEntry(context.ref(literal), spelling, "1")], phase=shown)


def _phase_fed(literal: ast.Dict, where: Context) -> Optional[bool]:
    """True when the dict feeds the phase (or may: a ``**`` entry, a key named like it), False when
    it feeds it a constant false value, None when it does not feed it."""
    for key, value in zip(literal.keys, literal.values):
        if key is None:
            return True  # ``**other``
        if _is_phase(key, where):
            return not (is_constant(value) and not constant_value(value))
        text = ast.dump(key).lower()
        if any(word in text for word in _PHASE_WORDS):
            return True
    return None


def _is_phase(key: ast.expr, where: Context) -> bool:
    if is_phase_call(key, where.scope, where.seq, where.blocks):
        return True
    if isinstance(key, ast.Name):
        for binding in reaching(where.scope, key.id, where.seq, where.blocks):
            if isinstance(binding, Assignment) and binding.value is not None and is_phase_call(
                binding.value, binding.scope, binding.seq, binding.blocks
            ):
                return True
    return False


def _only_read_here(name: ast.Name, where: Context) -> bool:
    """The feed dict's name is read once (by this run): adding the phase changes no other run."""
    owner = where.scope.lookup(name.id)
    return owner is where.scope and where.scope.reads.get(name.id, 0) == 1


def _model_fn_finding(context: RuleContext, training: Training, use: KerasUse) -> Finding:
    model_fn = training.model_fn
    tf = tensorflow_alias(context.model)
    mode = _mode_parameter(model_fn)
    name = use.model_text or "layer"
    if mode is None or tf is None or use.context.scope is not model_fn:
        manual = "pass training= (true only in TRAIN mode) to the call at line {}".format(use.node.lineno)
        return context.finding(RULE_CALL, use.node, manual=manual, name=name)
    edit = AddKeyword(context.ref(use.node), "training", "{} == {}.estimator.ModeKeys.TRAIN".format(mode, tf))
    return context.finding(RULE_CALL, use.node, [edit], name=name)


def _mode_parameter(model_fn) -> Optional[str]:
    if model_fn is None:
        return None
    args = model_fn.node.args
    names = [a.arg for a in list(args.args) + list(args.kwonlyargs)]
    return "mode" if "mode" in names else None


_MANUAL = "feed the learning phase as 1 to the run at line {} (the Keras flavour of the layers decides its spelling)"
_DETECTS = (
    "A TF 1.x graph train op (`opt.minimize(loss)`, `opt.apply_gradients(...)`) whose loss runs Keras "
    "BatchNormalization, Dropout (and its variants), noise layers or an RNN with dropout, called without "
    "their own `training=`, run by `sess.run(...)`, `train_op.run(...)` or a MonitoredSession whose "
    "feed does not hold the learning phase, or feeds it a constant false value. Reported at the run "
    "call. In an Estimator `model_fn` (no feed can reach the learning phase there) it is reported at "
    "each such Keras call instead."
)
_WHY = (
    "Keras layers in a TF 1.x graph read the learning phase, a placeholder that defaults to 0 "
    "(inference) in a plain `sess.run`: BatchNormalization normalises with moving statistics that "
    "never move, Dropout is off. Measured on tensorflow 1.15.5: such a loop reaches inf by step 4 where "
    "`model.fit` trains (see [TF 1.x graph mode on real TensorFlow](../tf1-graph-proof.md))."
)
_FIX = (
    "`lp-fix` adds `K.learning_phase(): 1` to the run's dict literal (or to a dict bound to a name read "
    "only by that run), or `feed_dict={K.learning_phase(): 1}` to a run without a feed, spelled with the "
    "file's backend import of the same Keras flavour as its layers (`tf.keras.backend.learning_phase()` "
    "through `import tensorflow as tf` otherwise). In a `model_fn` it adds "
    "`training=mode == tf.estimator.ModeKeys.TRAIN` to the call. A phase fed a false value, a dict "
    "shared with other runs, or a file mixing Keras flavours get a note saying what to change."
)
_SILENCE = (
    "Stays silent when every Keras call the loss runs passes `training=`, when the module calls "
    "`set_learning_phase(...)`, when the feed is not a dict the file shows (a helper's result, a dict "
    "changed after it is built) or has a key that may be the phase, for a model with weights of its "
    "own (a Dense, a Conv, a BatchNormalization) when the train op's `var_list` holds only "
    "`tf.Variable` / `tf.get_variable` results of the file (an input optimised through a frozen "
    "network, run in inference mode on purpose: no model is trained), and when the train op is not "
    "run in this file. Silence one line with `# noqa: LP400`."
)

RULE = Rule(
    code="LP400",
    title="Keras layers trained in a TF 1.x session without the learning phase",
    message="train op run without the learning phase; its Keras layers run in inference mode",
    fix_title="Feed the learning phase to this run",
    detects=_DETECTS,
    why=_WHY,
    fix=_FIX,
    silence=_SILENCE,
    examples=(invalid(_BAD, fixed=_GOOD), invalid(_BAD_MODEL_FN, fixed=_GOOD_MODEL_FN), valid(_GOOD),
              valid(_GOOD_MODEL_FN)),
    prefilter=PREFILTER,
    check=check,
)
# The same code, said at a Keras call in an Estimator model_fn.
RULE_CALL = replace(RULE, message="{name}(...) in an Estimator model_fn without training=; its Keras layers run in "
                    "inference mode")
