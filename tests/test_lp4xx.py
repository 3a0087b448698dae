"""The TF 1.x graph family (issue 20): LP400, LP401, LP410, LP411, all in one place.

The lint cases (tests/fixtures/lp4xx): flake8 reports an LP4xx finding exactly
at each ``# expect:`` line and nowhere else.  Then each rule's positions
(line, column), messages, fixes and manual notes, and lp-fix on a file and on
a notebook.  The runtime proof is tests/test_runtime.py (the ``graph_*``
programs) and docs/tf1-graph-proof.md.
"""
import ast
import json

import pytest

from conftest import FIXTURES, expected, flake8_findings, read
from flake8_learning_phase import check_source, fix_source
from flake8_learning_phase.frontends.cli import main
from flake8_learning_phase.rules import tf1_graph

CASES = FIXTURES / "lp4xx"
RUNTIME = FIXTURES / "runtime" / "programs"
CODES = ["LP400", "LP401", "LP410", "LP411"]


def cases(folder, prefix=""):
    return sorted(p for p in folder.glob(prefix + "*.py"))


ALL = cases(CASES) + cases(RUNTIME, "graph_")


def labels(paths):
    return {str(p): sorted((line, code) for line, code in expected(read(p)) if code.startswith("LP4")) for p in paths}


def flake8(folder):
    found = {}
    for reported in flake8_findings(folder, "LP4"):
        found.setdefault(reported.path, []).append((reported.line, reported.code))
    return {path: sorted(pairs) for path, pairs in found.items()}


def findings(source):
    return [(f.line, f.col, f.code) for f in check_source(source, codes=CODES)]


# -- the lint cases ----------------------------------------------------------------


def test_flake8_reports_exactly_the_labelled_lines():
    want = {path: pairs for path, pairs in labels(cases(CASES)).items() if pairs}
    assert flake8(CASES) == want


def test_the_graph_runtime_programs_are_reported_where_labelled():
    want = {path: pairs for path, pairs in labels(cases(RUNTIME, "graph_")).items() if pairs}
    got = {path: pairs for path, pairs in flake8(RUNTIME).items() if "/graph_" in path}
    assert got == want


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_case_says_why(path):
    assert ast.get_docstring(ast.parse(read(path))), "a lint case says why it is reported or silent"


def test_there_are_positive_and_negative_cases_for_every_rule():
    counts = labels(cases(CASES))
    positive = [path for path, pairs in counts.items() if pairs]
    negative = [path for path, pairs in counts.items() if not pairs]
    assert len(counts) >= 31 and len(positive) >= 15 and len(negative) >= 15
    assert {code for pairs in counts.values() for _, code in pairs} == set(CODES)


def test_the_family_registers_its_rules():
    assert [rule.code for rule in tf1_graph.RULES] == CODES


# -- positions and messages ------------------------------------------------------------

KERAS = '''import tensorflow as tf

x = tf.placeholder(tf.float32, (None, 8))
y = tf.placeholder(tf.float32, (None, 1))
net = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
loss = tf.reduce_mean(tf.square(net(x) - y))
train_op = tf.train.AdamOptimizer().minimize(loss)
sess = tf.Session()
sess.run(train_op, feed_dict={
    x: 1,  # the batch
    y: 2,
})
'''
TF_LAYERS = '''import tensorflow as tf

x = tf.placeholder(tf.float32, (None, 8))
y = tf.placeholder(tf.float32, (None, 1))
is_training = tf.placeholder(tf.bool, ())
h = tf.layers.batch_normalization(x)
loss = tf.reduce_mean(tf.square(h - y))
train_op = tf.train.AdamOptimizer().minimize(loss)
sess = tf.Session()
sess.run(train_op, {x: 1, y: 2, is_training: True})
'''


def _training_only(var_list, keras=KERAS):
    """KERAS with an input variable ``patch`` added to ``x`` and the train op given ``var_list``."""
    return keras.replace("loss = ", "patch = tf.get_variable('patch', (1, 8))\nloss = ").replace(
        "net(x)", "net(x + patch)").replace("minimize(loss)", "minimize(loss, var_list={})".format(var_list))


def test_a_network_none_of_whose_variables_are_trained_is_not_judged():
    # an adversarial patch through a frozen network: running its updates would overwrite its statistics
    assert findings(_training_only("[patch]")) == []
    gradients = _training_only("[patch]").replace(
        "train_op = tf.train.AdamOptimizer().minimize(loss, var_list=[patch])",
        "opt = tf.train.AdamOptimizer()\ntrain_op = opt.apply_gradients(zip(tf.gradients(loss, [patch]), [patch]))")
    assert findings(gradients) == []
    computed = gradients.replace("zip(tf.gradients(loss, [patch]), [patch])", "opt.compute_gradients(loss, [patch])")
    assert findings(computed) == []


def test_a_var_list_that_holds_or_may_hold_the_network_keeps_both_findings():
    for var_list in ("net.trainable_weights", "[patch] + net.trainable_weights", "tf.trainable_variables()",
                     "tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)", "variables", "[patch, unknown]"):
        assert [c for _, _, c in findings(_training_only(var_list))] == ["LP401", "LP400"], var_list
    zipped = _training_only("[patch]").replace("minimize(loss, var_list=[patch])",
                                               "apply_gradients(zip(tf.gradients(loss, net.weights), net.weights))")
    assert [c for _, _, c in findings(zipped)] == ["LP401", "LP400"]


def test_a_dropout_network_without_variables_of_its_own_stays_reported():
    # nothing shows that the network has variables the var_list leaves out: it may be part of what is trained
    dropout = KERAS.replace("tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()",
                            "tf.keras.layers.Dropout(0.5)")
    assert [c for _, _, c in findings(_training_only("[patch]", dropout))] == ["LP400"]


def test_lp400_and_lp401_positions():
    assert findings(KERAS) == [(7, 11, "LP401"), (9, 0, "LP400")]


def test_lp400_message_and_model_fn_message():
    (lp400,) = [f for f in check_source(KERAS) if f.code == "LP400"]
    assert lp400.message == (
        "LP400 train op run without the learning phase; its Keras layers run in inference mode"
    )
    bad_model_fn = tf1_graph.lp400.RULE.examples[1].source
    (call,) = [f for f in check_source(bad_model_fn) if f.code == "LP400"]
    assert (call.line, call.col) == (6, 18)
    assert call.message.startswith("LP400 net(...) in an Estimator model_fn without training=")


def test_lp410_position_and_fix_with_a_placeholder_fed_true():
    assert findings(TF_LAYERS) == [(6, 4, "LP410")]
    fixed = fix_source(TF_LAYERS, codes=CODES).source
    # the flag is passed; a placeholder can be false, so the UPDATE_OPS are run too
    assert "tf.layers.batch_normalization(x, training=is_training)" in fixed
    assert "tf.group(tf.train.AdamOptimizer().minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))" in fixed
    assert findings(fixed) == []


def test_lp410_without_a_flag_is_a_manual_note():
    source = TF_LAYERS.replace("is_training = tf.placeholder(tf.bool, ())\n", "").replace(", is_training: True", "")
    result = fix_source(source, codes=CODES)
    assert result.source == source
    assert result.manual == ((5, "pass training= (true in the train op's graph, false for inference) at line 5"),)


def test_lp410_reports_a_flag_fed_only_false_nowhere_else():
    # the placeholder is fed False only: passing it would change nothing, so no fix is offered
    source = TF_LAYERS.replace("is_training: True", "is_training: False")
    result = fix_source(source, codes=CODES)
    assert [f.code for f in result.findings] == ["LP410"] and result.source == source


DROPOUT = TF_LAYERS.replace("h = tf.layers.batch_normalization(x)", "h = tf.layers.dropout(x, 0.5, is_training)")


def test_lp410_moves_a_flag_passed_in_the_noise_shape_slot_to_training():
    assert findings(DROPOUT) == [(6, 4, "LP410")]
    fixed = fix_source(DROPOUT, codes=CODES).source
    assert "h = tf.layers.dropout(x, 0.5, training=is_training)\n" in fixed and findings(fixed) == []
    # a comment and the layout stay; a keyword after it stays after it
    laid_out = DROPOUT.replace("dropout(x, 0.5, is_training)", "dropout(\n    x, 0.5,\n    is_training,  # flag\n"
                               "    name='drop')")
    assert "    training=is_training,  # flag\n    name='drop')" in fix_source(laid_out, codes=CODES).source


def test_lp410_a_misplaced_flag_that_cannot_move_alone_gets_a_note():
    for call in ("dropout(x, 0.5, is_training, 7)", "dropout(x, 0.5, self.is_training)",
                 "dropout(x, 0.5, is_training, **kwargs)"):
        source = DROPOUT.replace("dropout(x, 0.5, is_training)", call)
        result = fix_source(source, codes=CODES)
        assert result.source == source and [f.code for f in result.findings] == ["LP410"], call
        assert "as training= at line 6, not as positional argument 3" in result.manual[0][1]


def test_lp410_moves_the_estimator_mode_test_written_in_the_noise_shape_slot():
    source = tf1_graph.lp400.RULE.examples[1].source.replace(  # a model_fn with ``mode``
        "predictions = net(features)",
        "predictions = tf.layers.dropout(features, 0.5, mode == tf.estimator.ModeKeys.TRAIN)")
    fixed = fix_source(source, codes=["LP410"]).source
    assert "tf.layers.dropout(features, 0.5, training=mode == tf.estimator.ModeKeys.TRAIN)" in fixed


def test_lp410_batch_norm_flag_in_the_axis_slot_moves_and_runs_the_update_ops():
    source = TF_LAYERS.replace("batch_normalization(x)", "batch_normalization(x, is_training)")
    fixed = fix_source(source, codes=CODES).source
    assert "tf.layers.batch_normalization(x, training=is_training)" in fixed
    assert "*tf.get_collection(tf.GraphKeys.UPDATE_OPS))" in fixed and findings(fixed) == []


def test_lp411_position_and_message():
    source = TF_LAYERS.replace("batch_normalization(x)", "batch_normalization(x, training=is_training)")
    (finding,) = check_source(source, codes=CODES)
    assert (finding.line, finding.col, finding.code) == (8, 11, "LP411")
    assert finding.message.endswith("its moving statistics stay at their start")


def test_lp411_is_silent_when_the_flag_is_always_true():
    source = TF_LAYERS.replace("batch_normalization(x)", "batch_normalization(x, training=True)")
    assert findings(source) == []


def test_lp411_sees_a_control_dependency_around_apply_gradients():
    source = TF_LAYERS.replace("batch_normalization(x)", "batch_normalization(x, training=is_training)").replace(
        "train_op = tf.train.AdamOptimizer().minimize(loss)",
        "opt = tf.train.AdamOptimizer()\ngrads = opt.compute_gradients(loss)\n"
        "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
        "    train_op = opt.apply_gradients(grads)",
    )
    assert findings(source) == []
    unwired = source.replace("with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    ", "")
    assert findings(unwired) == [(10, 11, "LP411")]


def test_a_train_op_kept_on_an_instance_is_found_where_it_runs_outside_its_class():
    source = read(CASES / "tflayers_train_op_on_instance.py")
    lines = source.splitlines()
    noisy = lines.index("    h = tf.layers.dropout(h, rate=rate)  # expect: LP410:9") + 1
    paired = lines.index("    h = tf.layers.dropout(tf.layers.dense(x, 16), rate=0.5)  # expect: LP410:9") + 1
    assert findings(source) == [(noisy, 8, "LP410"), (paired, 8, "LP410")]
    # run only through the parameter ``net.opt``, or only through the module's ``model.opt``
    through_parameter = source.replace("session.run(model.opt,", "session.run(model.loss,")
    assert findings(through_parameter) == [(noisy, 8, "LP410"), (paired, 8, "LP410")]
    through_module = source.replace("sess.run([net.opt, net.loss],", "sess.run([net.loss],")
    assert findings(through_module) == [(noisy, 8, "LP410"), (paired, 8, "LP410")]
    # its loss only evaluated: no train op of the class runs here
    neither = through_parameter.replace("sess.run([net.opt, net.loss],", "sess.run([net.loss],")
    assert findings(neither) == [(paired, 8, "LP410")]
    # the other element of what ``optimize`` returns is no train op
    assert findings(neither.replace("[paired.opt, paired.mean_loss]", "[paired.mean_loss]")) == []
    # Flagged's placeholder left unfed: reported, with a note (its name is a local of __init__:
    # an entry ``is_training: True`` in the run's dict would be a NameError)
    unfed = source.replace(", flagged.is_training: True}", "}")
    flagged = lines.index(
        "        h = tf.layers.dropout(tf.layers.dense(self.x_in, 16), rate=0.5, training=is_training)") + 1
    assert findings(unfed) == [(noisy, 8, "LP410"), (paired, 8, "LP410"), (flagged, 12, "LP410")]
    (note,) = [f for f in check_source(unfed, codes=["LP410"]) if f.line == flagged]
    assert not note.edits and note.manual.startswith("feed is_training a true value")


def test_a_method_a_base_calls_on_self_is_looked_up_from_the_class_instantiated():
    source = read(CASES / "keras_subclass_builder.py")
    assert findings(source) == [(22, 20, "LP401")]
    # the base's own ``build`` raises: made alone, its train op runs no Keras layer
    assert findings(source.replace("model = Normed()", "model = Base()")) == []
    # Slim made itself: its own build's BatchNormalization runs
    assert findings(source.replace("lean = Lean()", "lean = Slim()")) == [(22, 20, "LP401"), (48, 20, "LP401")]
    # an override inherited through an intermediate class
    deeper = source.replace("model = Normed()", "class Deeper(Normed):\n    pass\n\n\nmodel = Deeper()")
    assert findings(deeper) == [(22, 20, "LP401")]


def test_lp411_a_flag_parameter_every_call_leaves_at_its_true_default_reads_no_statistics():
    source = read(CASES / "tflayers_flag_default_true.py")
    assert findings(source) == []
    evaluated = source.replace("samples = sess.run(fake,", "samples = sess.run(generator(z, training=False),")
    assert findings(evaluated) == [(19, 11, "LP411")]
    # a call that passes what cannot be read: the flag may be false
    assert findings(source.replace("fake = generator(z)", "fake = generator(z, **options)")) == [(19, 11, "LP411")]


def test_a_train_op_nobody_runs_here_is_not_judged():
    source = TF_LAYERS.replace("sess.run(train_op, {x: 1, y: 2, is_training: True})\n", "")
    assert findings(source) == []


def test_a_tf2_optimizer_without_a_session_is_not_this_family():
    source = '''import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.BatchNormalization()])
opt = tf.keras.optimizers.Adam()
opt.minimize(lambda: tf.reduce_mean(model(tf.ones((2, 2)))), model.trainable_variables)
'''
    assert findings(source) == []


# -- fixes --------------------------------------------------------------------------------


def test_lp400_fix_adds_the_phase_to_a_multi_line_dict_keeping_comments():
    fixed = fix_source(KERAS, codes=["LP400"]).source
    assert fixed.endswith("sess.run(train_op, feed_dict={\n    x: 1,  # the batch\n    y: 2,\n"
                          "    tf.keras.backend.learning_phase(): 1,\n})\n")
    commented = fix_source(KERAS.replace("    y: 2,\n", "    y: 2,  # the target\n"), codes=["LP400"]).source
    assert commented.endswith("    y: 2,  # the target\n    tf.keras.backend.learning_phase(): 1,\n})\n")


def test_lp400_fix_uses_the_backend_import_of_the_layers_flavour():
    imports = "from keras import backend as K\nfrom keras.layers import Dropout\nfrom keras.models import Sequential\n"
    layers = "tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])"
    source = imports + KERAS.replace(layers, "Sequential([Dropout(0.5)])")
    assert "    K.learning_phase(): 1,\n" in fix_source(source, codes=["LP400"]).source


def test_lp400_fix_adds_a_feed_dict_to_a_run_without_one():
    source = KERAS.replace("sess.run(train_op, feed_dict={\n    x: 1,  # the batch\n    y: 2,\n})",
                           "sess.run(train_op)")
    assert fix_source(source, codes=["LP400"]).source.endswith(
        "sess.run(train_op, feed_dict={tf.keras.backend.learning_phase(): 1})\n")


def test_lp400_is_silent_with_the_phase_in_the_feed_or_a_feed_it_cannot_read():
    fed = KERAS.replace("    y: 2,\n", "    y: 2,\n    tf.keras.backend.learning_phase(): 1,\n")
    assert [c for _, _, c in findings(fed)] == ["LP401"]
    opaque = KERAS.replace("feed_dict={\n    x: 1,  # the batch\n    y: 2,\n}", "feed_dict=make_feed()")
    assert [c for _, _, c in findings(opaque)] == ["LP401"]
    mutated = KERAS.replace("sess.run(train_op, feed_dict={\n    x: 1,  # the batch\n    y: 2,\n})",
                            "feed = {x: 1}\nfeed[phase] = 1\nsess.run(train_op, feed_dict=feed)")
    assert [c for _, _, c in findings(mutated)] == ["LP401"]


def test_lp400_a_feed_dict_shared_with_another_run_gets_a_note():
    source = KERAS.replace("sess.run(train_op, feed_dict={\n    x: 1,  # the batch\n    y: 2,\n})",
                           "feed = {x: 1, y: 2}\nsess.run(train_op, feed_dict=feed)\nsess.run(loss, feed)")
    result = fix_source(source, codes=["LP400"])
    assert result.source == source and result.manual and "feed the learning phase" in result.manual[0][1]


def test_lp401_fix_groups_the_updates_of_the_model_applied_to_the_placeholder():
    fixed = fix_source(KERAS, codes=["LP401"]).source
    assert "train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *net.get_updates_for(x))\n" in fixed
    assert findings(fixed) == [(9, 0, "LP400")]


HELPER = "def updates_of(model, tensors):\n    return [model.get_updates_for(t) for t in tensors]\n\n\n"


def _fetching(helper, fetched):
    return KERAS.replace("sess = tf.Session()\n", helper + "sess = tf.Session()\n").replace(
        "sess.run(train_op,", "sess.run([train_op, {}],".format(fetched))


def test_lp401_sees_the_update_ops_a_helper_returns():
    assert [c for _, _, c in findings(_fetching(HELPER, "updates_of(net, [x])"))] == ["LP400"]
    # in a comprehension over the models, or a list the helper appends to or extends
    assert [c for _, _, c in findings(_fetching(HELPER, "[updates_of(m, [x]) for m in [net]]"))] == ["LP400"]
    appended = "def updates_of(model, tensors):\n    found = []\n    for t in tensors:\n" \
               "        found += model.get_updates_for(t)\n    return found\n\n\n"
    assert [c for _, _, c in findings(_fetching(appended, "updates_of(net, [x])"))] == ["LP400"]


def test_lp401_a_helper_returning_no_update_ops_still_reports():
    outputs = HELPER.replace("model.get_updates_for(t)", "model(t)")
    assert [c for _, _, c in findings(_fetching(outputs, "updates_of(net, [x])"))] == ["LP401", "LP400"]
    weights = "def updates_of(model, tensors):\n    return model.trainable_weights\n\n\n"
    assert [c for _, _, c in findings(_fetching(weights, "updates_of(net, [x])"))] == ["LP401", "LP400"]


def test_lp401_sees_the_update_ops_a_helper_of_another_module_returns(tmp_path):
    (tmp_path / "gather.py").write_text(HELPER)
    source = _fetching("from gather import updates_of\n", "updates_of(net, [x])")
    path = tmp_path / "train.py"
    path.write_text(source)
    assert [f.code for f in check_source(source, codes=CODES, path=str(path))] == ["LP400"]
    (tmp_path / "gather.py").write_text(HELPER.replace("model.get_updates_for(t)", "model(t)"))
    assert [f.code for f in check_source(source, codes=CODES, path=str(path))] == ["LP401", "LP400"]


def test_lp401_fix_keeps_a_comment_inside_the_train_op():
    source = KERAS.replace("minimize(loss)", "minimize(  # the loss\n    loss)")
    fixed = fix_source(source, codes=["LP401"]).source
    assert "tf.group(tf.train.AdamOptimizer().minimize(  # the loss\n    loss), *net.get_updates_for(x))" in fixed


def test_lp401_a_layer_without_a_name_is_a_manual_note():
    source = KERAS.replace("net(x)", "tf.keras.layers.BatchNormalization()(x)")
    result = fix_source(source, codes=["LP401"])
    assert result.source == source
    assert result.manual[0][1].startswith("run the Keras layers' update ops with the train op at line 7")


def test_lp_fix_main_fixes_a_file_and_a_second_check_is_clean(tmp_path, capsys):
    path = tmp_path / "train.py"
    path.write_text(KERAS)
    assert main([str(path)]) == 1
    assert main(["--check", str(path)]) == 0
    text = path.read_text()
    assert "tf.keras.backend.learning_phase(): 1" in text and "get_updates_for(x)" in text


def test_lp_fix_fixes_a_notebook(tmp_path, capsys):
    cells = [KERAS.split("sess = ")[0], "sess = tf.Session()\nsess.run(train_op, {x: 1, y: 2})\n"]
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                   "source": cell.splitlines(True)} for cell in cells],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "train.ipynb"
    path.write_text(json.dumps(notebook, indent=1))
    assert main([str(path)]) == 1
    sources = ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]
    assert sources[1] == "sess = tf.Session()\nsess.run(train_op, {x: 1, y: 2, tf.keras.backend.learning_phase(): 1})\n"
    assert "*net.get_updates_for(x))" in sources[0]


def test_fixing_every_lint_case_leaves_only_manual_findings():
    for path in cases(CASES):
        source = read(path)
        result = fix_source(source, codes=CODES)
        ast.parse(result.source)
        again = check_source(result.source, codes=CODES)
        assert all(not f.edits and f.manual for f in again), (path.name, again)


def test_a_module_imported_again_in_a_later_cell_still_spells_the_fix():
    source = TF_LAYERS.replace("batch_normalization(x)", "batch_normalization(x, training=is_training)").replace(
        "train_op = ", "import tensorflow as tf\ntrain_op = ")
    assert "*tf.get_collection(tf.GraphKeys.UPDATE_OPS))" in fix_source(source, codes=CODES).source


def test_lp400_a_file_mixing_keras_flavours_gets_a_note():
    # standalone keras' backend next to tf.keras layers: its learning phase is another placeholder
    source = "import keras.backend as K\n" + KERAS
    result = fix_source(source, codes=["LP400"])
    assert result.source == source and "feed the learning phase as 1" in result.manual[0][1]
