"""LP410: a tf.layers batch norm or dropout in a trained graph whose training flag cannot be true."""
import ast
from typing import Iterator, List, Optional, Set, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AddEntry, AddKeyword, Edit, Finding, NameArgument
from flake8_learning_phase.core.module import Assignment, Parameter, dotted, reaching
from flake8_learning_phase.core.records import Record
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.flow.calls import parameter_arguments
from flake8_learning_phase.flow.dataflow import same_value
from flake8_learning_phase.flow.terms import Context, Term
from flake8_learning_phase.rules.tf1_graph.graph import FLAG_NAMES, PREFILTER, Graph, LayerUse, Training, graph
from flake8_learning_phase.rules.tf1_graph.syntax import (
    constant_value,
    dict_literal,
    is_constant,
    is_constant_false,
    record_context,
    tensorflow_alias,
)
from flake8_learning_phase.rules.tf1_graph.updates import update_ops_edit, update_ops_run, varies

_BAD = '''\
import tensorflow as tf


def network(x, is_training):
    hidden = tf.layers.dense(x, 16)
    hidden = tf.layers.batch_normalization(hidden)
    return tf.layers.dense(tf.nn.relu(hidden), 1)


x = tf.placeholder(tf.float32, (None, 8))
y = tf.placeholder(tf.float32, (None, 1))
loss = tf.losses.mean_squared_error(y, network(x, is_training=True))
train_op = tf.train.AdamOptimizer().minimize(loss)


def train(sess, batches):
    for xb, yb in batches:
        sess.run(train_op, feed_dict={x: xb, y: yb})
'''
_GOOD = _BAD.replace("tf.layers.batch_normalization(hidden)",
                     "tf.layers.batch_normalization(hidden, training=is_training)")
_BAD_EVALUATED = _BAD.replace("def train(", "prediction = network(x, is_training=False)\n\n\ndef train(")
_GOOD_EVALUATED = _GOOD.replace("def train(", "prediction = network(x, is_training=False)\n\n\ndef train(").replace(
    "train_op = tf.train.AdamOptimizer().minimize(loss)",
    "train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))")
_GOOD_WIRED = _GOOD.replace("train_op = tf.train.AdamOptimizer().minimize(loss)",
                            "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
                            "    train_op = tf.train.AdamOptimizer().minimize(loss)")


def check(context: RuleContext) -> Iterator[Finding]:
    reported: Set[int] = set()
    found = graph(context)
    for training in found.trainings:
        for layer in training.layers:
            if layer.layer.contrib or not layer.flag_known or id(layer.node) in reported:
                continue
            if layer.flag is None or is_constant_false(layer.flag, layer.context):
                reported.add(id(layer.node))
                yield _finding(context, found, training, layer)
            elif _never_true(context, found, training, layer):
                reported.add(id(layer.node))
                yield _unfed_finding(context, training, layer)


def _never_true(context: RuleContext, found: Graph, training: Training, layer: LayerUse) -> bool:
    """The flag cannot be true where the train op runs: a placeholder defaulting to False that no
    run of the train op feeds a true value, or a parameter every call passes False."""
    flag, where = layer.flag, layer.context
    if not isinstance(flag, ast.Name):
        return False
    bindings = reaching(where.scope, flag.id, where.seq, where.blocks)
    if bindings and all(isinstance(b, Assignment) and _false_by_default(b.value) for b in bindings):
        placeholders = {id(b.value) for b in bindings}
        return all(_fed_value(found, run, flag.id, placeholders) is False for run in training.runs)
    if bindings and all(isinstance(b, Parameter) for b in bindings):
        passed = [pair for b in bindings for pair in parameter_arguments(
            context, Term("parameter", b.node, Context(b.scope, b.seq, b.blocks)))]
        return bool(passed) and all(is_constant_false(value, at) for value, at in passed)
    return False


def _unfed_finding(context: RuleContext, training: Training, layer: LayerUse) -> Finding:
    """Feed the placeholder True in the one run of the train op, when its dict can take it."""
    kind = "batch norm" if layer.layer.kind == "batch_norm" else "dropout"
    name = layer.flag.id
    runs = training.runs
    literal = dict_literal(runs[0].feed, record_context(runs[0].record)) if len(runs) == 1 and runs[0].feed else None
    if literal is None or not isinstance(runs[0].feed, ast.Dict) or not _is_placeholder_flag(layer) \
            or not same_value(name, record_context(runs[0].record), layer.context):
        # the run does not see the placeholder under its name (a local of the method that builds
        # it, the op run from outside the class): the entry would be a NameError
        manual = "feed {} a true value when the train op runs (line {})".format(name, runs[0].record.node.lineno)
        return context.finding(RULE, layer.node, manual=manual, kind=kind)
    return context.finding(RULE, layer.node, [AddEntry(context.ref(literal), name, "True")], kind=kind)


def _is_placeholder_flag(layer: LayerUse) -> bool:
    bindings = reaching(layer.context.scope, layer.flag.id, layer.context.seq, layer.context.blocks)
    return all(isinstance(b, Assignment) for b in bindings)


def _false_by_default(node) -> bool:
    """``tf.placeholder_with_default(False, ...)``."""
    func = getattr(node, "func", None)
    if not isinstance(func, ast.Attribute) or func.attr != "placeholder_with_default" or not node.args:
        return False
    return is_constant(node.args[0]) and not constant_value(node.args[0])


def _fed_value(found: Graph, run, name: str, placeholders: Set[int]) -> Optional[bool]:
    """Whether the run feeds the placeholder ``name`` a true value: under its name or through
    another expression that holds it (``net.is_training`` with ``self.is_training = is_training``);
    None when its feed cannot be read."""
    if run.estimator:
        return None
    if run.feed is None:
        return False
    where = record_context(run.record)
    literal = dict_literal(run.feed, where)
    if literal is None or any(key is None for key in literal.keys):
        return None
    for key, value in zip(literal.keys, literal.values):
        if isinstance(key, ast.Name) and key.id == name or placeholders.intersection(found.reach(key, where)):
            return not is_constant(value) or bool(constant_value(value))
    return False


def _finding(context: RuleContext, found: Graph, training: Training, layer: LayerUse) -> Finding:
    kind = "batch norm" if layer.layer.kind == "batch_norm" else "dropout"
    flag = None if layer.flag is not None else _flag(context, training, layer)
    misplaced = _misplaced(layer, None if flag is None else flag[0])
    if flag is None or (misplaced is not None and not _movable(layer, misplaced, flag[0])):
        if misplaced is None:
            manual = "pass training= (true in the train op's graph, false for inference) at line {}".format(
                layer.node.lineno)
        else:
            manual = "pass {} as training= at line {}, not as positional argument {} (another parameter)".format(
                dotted(misplaced.node) or "the flag", layer.node.lineno, misplaced.index + 1)
        return context.finding(RULE, layer.node, manual=manual, kind=kind)
    text, can_be_false = flag
    if misplaced is None:
        edits: List[Edit] = [AddKeyword(context.ref(layer.node), layer.layer.flag, text)]
    else:
        # ``dropout(h, 0.5, is_training)``: the flag sits in ``noise_shape``; a second flag beside it
        # would leave a bool there (the graph then fails to build): it moves to ``training=``.
        edits = [NameArgument(context.ref(layer.node), misplaced.index, layer.layer.flag)]
    if layer.layer.kind == "batch_norm" and can_be_false and not update_ops_run(found, training, [layer]):
        # Given a flag, the batch norm creates UPDATE_OPS that an inference path reads: run them too.
        wrap = update_ops_edit(context, training)
        if wrap is None:
            manual = "pass training={} at line {} and run the UPDATE_OPS with the train op".format(
                text, layer.node.lineno)
            return context.finding(RULE, layer.node, manual=manual, kind=kind)
        edits.append(wrap)
    return context.finding(RULE, layer.node, edits, kind=kind)


class Misplaced(Record):
    """A training flag passed positionally in a slot before the flag's own (``noise_shape``)."""

    index: int
    node: ast.expr


def _misplaced(layer: LayerUse, text: Optional[str]) -> Optional[Misplaced]:
    """The positional argument, before the flag's slot, named like a training flag or written as
    the flag the fix would pass (``text``: ``mode == tf.estimator.ModeKeys.TRAIN`` too)."""
    call = layer.node
    for index, arg in enumerate(call.args[: layer.layer.position]):
        if isinstance(arg, ast.Starred):
            return None  # the slots after it are unknown
        name = dotted(arg)
        if name is not None and name.rpartition(".")[2] in FLAG_NAMES or _written_as(arg, text):
            return Misplaced(index, arg)
    return None


def _written_as(node: ast.expr, text: Optional[str]) -> bool:
    """``node`` is the expression ``text`` (compared as trees: spacing and parentheses aside)."""
    return text is not None and ast.dump(node) == ast.dump(ast.parse(text, mode="eval").body)


def _movable(layer: LayerUse, misplaced: Misplaced, text: str) -> bool:
    """The misplaced argument is the flag the fix would pass, and the last argument in a slot (so
    that naming it moves no other argument)."""
    call = layer.node
    return _written_as(misplaced.node, text) and misplaced.index == len(call.args) - 1 and all(
        kw.arg is not None and kw.arg != layer.layer.flag for kw in call.keywords)


def _flag(context: RuleContext, training: Training, layer: LayerUse) -> Optional[Tuple[str, bool]]:
    """A training flag this call can be given, and whether it can be false: a parameter of its
    function, the model_fn's mode, or a placeholder every run of the train op feeds a true value."""
    scope = layer.context.scope
    if scope.is_function:
        for name in FLAG_NAMES:
            if any(isinstance(b, Parameter) for b in scope.bindings.get(name, ())):
                return name, varies(context, ast.Name(name, ast.Load()), layer.context)
        tf = tensorflow_alias(context.model)
        if scope is training.model_fn and "mode" in scope.bindings and tf is not None:
            return "mode == {}.estimator.ModeKeys.TRAIN".format(tf), True
    for name in FLAG_NAMES:
        owner = scope.lookup(name)
        if owner is None:
            continue
        bindings = owner.bindings[name]
        if all(isinstance(b, Assignment) and _is_placeholder(b.value) for b in bindings) and all(
            _feeds_true(run, name) for run in training.runs
        ):
            return name, True
    return None


def _is_placeholder(node) -> bool:
    func = getattr(node, "func", None)
    return isinstance(func, ast.Attribute) and func.attr in ("placeholder", "placeholder_with_default")


def _feeds_true(run, name: str) -> bool:
    if run.feed is None:
        return False
    literal = dict_literal(run.feed, record_context(run.record))
    if literal is None:
        return False
    for key, value in zip(literal.keys, literal.values):
        if isinstance(key, ast.Name) and key.id == name:
            return not is_constant(value) or bool(constant_value(value))
    return False


RULE = Rule(
    code="LP410",
    title="tf.layers batch norm or dropout that never trains",
    message="{kind} without a true training flag runs in inference mode in a trained graph",
    fix_title="Pass the training flag to this layer",
    detects=(
        "A `tf.layers.batch_normalization` or `tf.layers.dropout` call (also `tf.compat.v1.layers...`, "
        "and the `tf.layers.BatchNormalization` / `Dropout` classes applied) that the loss of a train op "
        "run by this file runs, whose training flag cannot be true: missing (also when a flag is passed "
        "positionally in another parameter's slot), the constant False (or a "
        "name bound only to it), a parameter every call in the file passes False, or a "
        "`placeholder_with_default(False, ...)` that no run of the train op feeds a true value. Reported "
        "at the layer call. contrib / slim layers default to training mode and are not reported."
    ),
    why=(
        "tf.layers default to `training=False`: batch norm normalises with moving statistics that never "
        "move (its update ops are not even created) and dropout is the identity, while the train op "
        "trains the rest of the network around them. An `is_training` parameter or placeholder that the "
        "layer is not given changes nothing."
    ),
    fix=(
        "`lp-fix` passes the flag that exists: a parameter of the enclosing function named like a "
        "training flag (`is_training`, `training`, `train`, ...), `mode == tf.estimator.ModeKeys.TRAIN` "
        "in an Estimator `model_fn`, or a placeholder flag every run of the train op feeds a true value; "
        "a placeholder that the one run of the train op does not feed gets `flag: True` in that run's "
        "dict, when the run sees the placeholder under that name (else a note: a local of the method "
        "that builds it is no name where the op is run from outside the class). A flag passed "
        "positionally in another parameter's slot (`tf.layers.dropout(h, 0.5, is_training)`: "
        "`noise_shape`) is moved to `training=` when it is the last positional argument "
        "(`dropout(h, 0.5, training=is_training)`; a second flag beside it would leave a bool in "
        "`noise_shape`, and tensorflow 1.15.5 then fails to build the graph), else a note says so. A "
        "batch norm given a flag that can be false also gets its UPDATE_OPS run with the train op (as "
        "LP411's fix). Otherwise a note says what to pass or feed."
    ),
    silence=(
        "Stays silent when the layer is not run by the loss of a train op this file runs, when an "
        "`arg_scope` or `normalizer_params` it cannot read may set the flag, and for contrib / slim "
        "layers. Silence one line with `# noqa: LP410`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), invalid(_BAD_EVALUATED, fixed=_GOOD_EVALUATED), valid(_GOOD_WIRED)),
    prefilter=PREFILTER,
    check=check,
)
