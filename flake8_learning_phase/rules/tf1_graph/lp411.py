"""LP411: a TF 1.x batch norm in training mode whose UPDATE_OPS never run with the train op."""
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AddKeyword, Finding
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.rules.tf1_graph.graph import PREFILTER, LayerUse, Training, graph, runs_apart
from flake8_learning_phase.rules.tf1_graph.syntax import tensorflow_alias
from flake8_learning_phase.rules.tf1_graph.heads import HeadSpec, head_specs
from flake8_learning_phase.rules.tf1_graph.updates import update_ops_edit, update_ops_run, varies

_BAD = '''\
import tensorflow as tf

x = tf.placeholder(tf.float32, (None, 8))
y = tf.placeholder(tf.float32, (None, 1))
training = tf.placeholder_with_default(False, shape=())
hidden = tf.layers.batch_normalization(tf.layers.dense(x, 16), training=training)
loss = tf.losses.mean_squared_error(y, tf.layers.dense(tf.nn.relu(hidden), 1))
train_op = tf.train.AdamOptimizer().minimize(loss)


def train(sess, batches):
    for xb, yb in batches:
        sess.run(train_op, feed_dict={x: xb, y: yb, training: True})
'''
_GOOD = _BAD.replace(
    "train_op = tf.train.AdamOptimizer().minimize(loss)",
    "train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))",
)
_GOOD_CONTROL = _BAD.replace(
    "train_op = tf.train.AdamOptimizer().minimize(loss)",
    "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
    "    train_op = tf.train.AdamOptimizer().minimize(loss)",
)
_BAD_EARLY = _BAD.replace("hidden = tf.layers", "update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                          "hidden = tf.layers").replace(
    "train_op = tf.train.AdamOptimizer().minimize(loss)",
    "with tf.control_dependencies(update_ops):\n    train_op = tf.train.AdamOptimizer().minimize(loss)")
_GOOD_EARLY = _BAD_EARLY.replace(
    "    train_op = tf.train.AdamOptimizer().minimize(loss)",
    "    train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))")


def check(context: RuleContext) -> Iterator[Finding]:
    found = graph(context)
    for training in found.trainings:
        layers = [layer for layer in training.layers
                  if _updates_pending(context, layer) and not runs_apart(context, training, layer.context)]
        if layers and not update_ops_run(found, training, layers):
            yield _finding(context, training)
    for spec in head_specs(context):
        if any(_updates_pending(context, layer) for layer in spec.layers):
            yield _head_finding(context, spec)


def _updates_pending(context: RuleContext, layer: LayerUse) -> bool:
    """A batch norm that creates UPDATE_OPS and whose statistics are read (its flag can be false)."""
    if layer.layer.kind != "batch_norm" or not layer.flag_known or layer.flag is None:
        return False
    if layer.layer.contrib and layer.in_place is not False:
        return False  # updates in place (``updates_collections=None``), or cannot tell
    return varies(context, layer.flag, layer.context)


def _finding(context: RuleContext, training: Training) -> Finding:
    op = training.op
    edit = update_ops_edit(context, training)
    if edit is None:
        manual = "build the train op at line {} under tf.control_dependencies(tf.get_collection(" \
                 "tf.GraphKeys.UPDATE_OPS))".format(op.node.lineno)
        return context.finding(RULE, op.node, manual=manual)
    return context.finding(RULE, op.node, [edit])


def _head_finding(context: RuleContext, spec: HeadSpec) -> Finding:
    """A v2 head runs only the ``update_ops=`` it is given."""
    tf = tensorflow_alias(context.model)
    call = spec.record.node
    if tf is None:
        manual = "pass update_ops=tf.get_collection(tf.GraphKeys.UPDATE_OPS) at line {}".format(call.lineno)
        return context.finding(RULE, call, manual=manual)
    edit = AddKeyword(context.ref(call), "update_ops", "{0}.get_collection({0}.GraphKeys.UPDATE_OPS)".format(tf))
    return context.finding(RULE, call, [edit])


RULE = Rule(
    code="LP411",
    title="batch norm UPDATE_OPS not run with a TF 1.x train op",
    message="train op never runs the batch norm UPDATE_OPS; its moving statistics stay at their start",
    fix_title="Run the UPDATE_OPS with this train op",
    detects=(
        "A TF 1.x train op (`opt.minimize(loss)`, `opt.apply_gradients(...)`) run by this file whose loss "
        "runs `tf.layers.batch_normalization` with a training flag that can be false (an inference path "
        "reads the statistics), or contrib / slim `batch_norm` with such an `is_training` and its updates "
        "in the `UPDATE_OPS` collection, when no run of the file runs that collection: no "
        "`tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))` around the train op (or "
        "around a `no_op` grouping it), no fetch of the collection. A collection read before the layers "
        "are built, or from another graph, does not count. Reported at the `minimize` / "
        "`apply_gradients` call; for a v2 Estimator head (`tf.estimator.RegressionHead`, ...) given "
        "`optimizer=` and no `update_ops=` (it never reads the collection), at its "
        "`create_estimator_spec` call."
    ),
    why=(
        "These layers put the ops that move their statistics in `UPDATE_OPS` and nothing runs them unless "
        "the train op depends on them. Training looks right, but evaluation normalises with mean 0 and "
        "variance 1: measured on tensorflow 1.15.5, evaluation loss 19.56 against 0.0855 (229x), the same "
        "in an Estimator `model_fn` (tensorflow#11965, handson-ml#56)."
    ),
    fix=(
        "`lp-fix` replaces the train op `opt.minimize(loss)` with "
        "`tf.group(opt.minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))`: read when the "
        "train op is built (after the loss, so after the layers), run with it, from the same batch "
        "statistics; measured equal to the `control_dependencies` form to 1e-5. A v2 head's call gets "
        "`update_ops=tf.get_collection(tf.GraphKeys.UPDATE_OPS)`."
    ),
    silence=(
        "Stays silent when some run of the file runs the collection (a control dependency, nested or in "
        "a helper; a fetch; a second run), for `updates_collections=None`, for `create_train_op` (it "
        "wires them), when the flag is a constant (no inference path reads the statistics; also a "
        "builder's parameter every call in the file passes one constant or leaves at a constant default), "
        "and when the train op is not run in this file. Silence one line with `# noqa: LP411`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), invalid(_BAD_EARLY, fixed=_GOOD_EARLY), valid(_GOOD), valid(_GOOD_CONTROL)),
    prefilter=PREFILTER,
    check=check,
)
