"""LP401: a TF 1.x train op that never runs the update ops of the Keras layers its loss runs."""
from typing import Iterator, List

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import Finding, Wrap
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.rules.tf1_graph.examples import session_script
from flake8_learning_phase.rules.tf1_graph.graph import PREFILTER, KerasUse, Training, graph
from flake8_learning_phase.rules.tf1_graph.keras_updates import pending_keras_updates, update_terms
from flake8_learning_phase.rules.tf1_graph.syntax import phase_pinned, record_context, tensorflow_alias

_BAD = session_script("BatchNormalization()", ", K.learning_phase(): 1")
_GOOD = _BAD.replace(
    "train_op = tf.train.AdamOptimizer().minimize(loss)",
    "train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *net.get_updates_for(features))",
)
_VALID_UPDATE_OPS_RUN = _BAD.replace(
    "sess.run(train_op, feed_dict=", "sess.run([train_op, net.get_updates_for(features)], feed_dict="
)


def check(context: RuleContext) -> Iterator[Finding]:
    found = graph(context)
    if not found.trainings or phase_pinned(context.model):
        return  # a pinned phase: the statistics are never read
    for training in found.trainings:
        uses = pending_keras_updates(context, found, training)
        if uses:
            yield _finding(context, training, uses)


def _finding(context: RuleContext, training: Training, uses: List[KerasUse]) -> Finding:
    op = training.op
    tf = tensorflow_alias(context.model)
    terms = update_terms(record_context(op), uses)
    if tf is None or terms is None:
        manual = "run the Keras layers' update ops with the train op at line {} (tf.group(train_op, " \
                 "*model.get_updates_for(inputs)))".format(op.node.lineno)
        return context.finding(RULE, op.node, manual=manual)
    edit = Wrap(context.ref(op.node), "{}.group(".format(tf), ", {})".format(", ".join(terms)))
    return context.finding(RULE, op.node, [edit])


RULE = Rule(
    code="LP401",
    title="Keras update ops not run with a TF 1.x train op",
    message="train op runs Keras BatchNormalization without its update ops; moving statistics never move",
    fix_title="Group the Keras update ops with this train op",
    detects=(
        "A TF 1.x graph train op (`opt.minimize(loss)`, `opt.apply_gradients(...)`) run by this file "
        "(`sess.run`, `train_op.run`, a MonitoredSession, an Estimator `EstimatorSpec`) whose loss runs a "
        "Keras model or layer that owns update ops (BatchNormalization) whose statistics are read, when no "
        "run of the file runs Keras update ops (`model.updates`, `model.get_updates_for(x)`: grouped, "
        "fetched or as a control dependency, also through what a function of the project returns, a "
        "list it appends them to or a comprehension). Reported at the `minimize` / `apply_gradients` call."
    ),
    why=(
        "Keras layers never put their update ops in `tf.GraphKeys.UPDATE_OPS` (checked on tensorflow "
        "1.15.5, in every form): a `control_dependencies(UPDATE_OPS)` around the train op is empty for "
        "them, and `sess.run(train_op)` leaves the moving mean and variance at their initial values. "
        "Inference then normalises with statistics of nothing: measured evaluation loss 20.6 against 0.29."
    ),
    fix=(
        "`lp-fix` replaces the train op `opt.minimize(loss)` with "
        "`tf.group(opt.minimize(loss), *net.get_updates_for(x))`, one `get_updates_for` per application "
        "`net(x)` the loss runs (`*model.updates` for `model.output`): the updates of a model applied to "
        "another tensor are the ones conditioned on that tensor (`net.updates` would also hold the ops of "
        "its own `Input`, which no feed reaches). When a model or its input is not visible at the train op, "
        "a note says what to group."
    ),
    silence=(
        "Stays silent when some run of the file runs Keras update ops (a helper of the module or the "
        "project may gather them: `def updates(m): return [m.get_updates_for(t) for t in ...]`), when "
        "the layers are called with "
        "`training=True` (the statistics are never read), when the module pins the phase with "
        "`set_learning_phase`, when the train op trains none of the model's variables (its `var_list` "
        "holds only `tf.Variable` / `tf.get_variable` results of the file: an input optimised through a "
        "frozen network, whose statistics its update ops would overwrite), and when the train op is "
        "not run in this file. Silence one line with `# noqa: LP401`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), valid(_GOOD), valid(_VALID_UPDATE_OPS_RUN)),
    prefilter=PREFILTER,
    check=check,
)
