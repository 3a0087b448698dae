"""LP300, all of it: its fixtures (tests/fixtures, by ``# expect: LP300:<column>``; flake8 over the
case folders and the TF2 programs: tests/test_lp300_cases.py), its examples and their fixes, and
messages, fixes and library shapes beyond them."""
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)
from conftest import FIXTURES, read
from flake8_learning_phase import check_source, fix_source


class TestLP300(RuleTests):
    code = "LP300"


HEAD = '''import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.Dropout(0.5)])


def step(x, y, opt):
    with tf.GradientTape() as tape:
'''
TAIL = '''    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
'''


def program(body):
    return HEAD + body + TAIL


def lines(source):
    return [(f.line, f.code) for f in check_source(source, codes=["LP300"])]


def fixed(body):
    return fix_source(program(body), codes=["LP300"]).source[len(HEAD):-len(TAIL)]


def test_fix_keeps_a_comment_after_the_call():
    assert fixed("        loss = model(x)  # forward\n") == "        loss = model(x, training=True)  # forward\n"


def test_fix_puts_the_keyword_on_its_own_line_in_a_one_per_line_call_with_trailing_comma():
    body = "        loss = model(\n            x,  # the batch\n        )\n"
    assert fixed(body) == "        loss = model(\n            x,  # the batch\n            training=True,\n        )\n"


def test_fix_keeps_the_closing_parenthesis_on_its_line():
    body = "        loss = model(\n            x\n        )\n"
    assert fixed(body) == "        loss = model(\n            x,\n            training=True\n        )\n"


def test_fix_keeps_a_single_line_trailing_comma():
    assert fixed("        loss = model(x, mask=None,)\n") == "        loss = model(x, mask=None, training=True,)\n"


def test_message_names_dropout_for_a_seen_model():
    (finding,) = check_source(program("        loss = model(x)\n"), codes=["LP300"])
    assert finding.message == (
        "LP300 model(...) in a training step without training=True; its Dropout or noise layers run in "
        "inference mode"
    )


def test_unseen_model_message_says_when_the_fix_matters():
    source = program("        loss = model(x)\n").replace(
        "model = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.Dropout(0.5)])",
        "import zoo\nmodel = zoo.build()",
    )
    (finding,) = check_source(source, codes=["LP300"])
    assert finding.message.endswith("; matters if the model has BatchNormalization or Dropout")


def test_a_superseded_class_is_not_judged_by_the_module_s_builders():
    source = (FIXTURES / "lp300" / "class_defined_twice.py").read_text(encoding="utf-8")
    hedged = {f.line: f.message.endswith("matters if the model has BatchNormalization or Dropout")
              for f in check_source(source, codes=["LP300"])}
    assert hedged == {33: True, 34: True, 50: False}


def test_training_passed_by_keyword_variable_or_kwargs_is_silent():
    for call in ("model(x, training=flag)", "model(x, training=False)", "model(x, **options)"):
        assert lines(program("        loss = {}\n".format(call))) == []


def test_second_positional_argument_of_a_keras_model_is_the_training_flag():
    assert lines(program("        loss = model(x, True)\n")) == []


def test_keras3_guard_on_the_training_argument_is_silent():
    source = '''import tensorflow as tf
from tensorflow import keras


class M(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            if self._call_has_training_arg:
                y_pred = self(x, training=True)
            else:
                y_pred = self(x)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        return tape.gradient(loss, self.trainable_variables)
'''
    assert lines(source) == []


def test_helper_method_of_the_class_called_in_the_tape_is_followed():
    source = '''import tensorflow as tf


class Agent:
    def __init__(self):
        self.net = tf.keras.Sequential([tf.keras.layers.BatchNormalization()])

    def loss(self, x):
        return tf.reduce_mean(self.net(x))

    def learn(self, x, opt):
        with tf.GradientTape() as tape:
            value = self.loss(x)
        opt.apply_gradients(zip(tape.gradient(value, self.net.trainable_variables), self.net.trainable_variables))
'''
    assert lines(source) == [(9, "LP300")]


def test_gradient_through_apply_gradients_zip_when_the_sources_are_opaque():
    source = program("        loss = model(x)\n").replace(
        TAIL.strip("\n"),
        "    grads = tape.gradient(loss, collect())\n    opt.apply_gradients(zip(grads, model.trainable_variables))",
    )
    assert lines(source) == [(8, "LP300")]


def test_a_tape_of_another_library_is_not_a_gradient_tape():
    source = program("        loss = model(x)\n").replace("tf.GradientTape()", "other.GradientTape()")
    assert lines(source) == []


def test_a_rebound_tape_name_belongs_to_its_own_with():
    source = program("        a = model(x)\n        loss = a\n    other = tape.gradient(loss, [x])\n").replace(
        TAIL, "    with tf.GradientTape() as tape:\n        loss = model(x, training=True)\n" + TAIL
    )
    assert lines(source) == []


def test_a_step_nested_in_a_module_function_sees_the_model_bound_when_it_is_called():
    # a strategy's step_fn inside a tf.function, called once before the notebook re-binds the
    # name to a loaded model: the step trained the Dropout model (certain, not "matters if")
    source = '''import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.layers.Dense(8), keras.layers.Dropout(0.5), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD()


@tf.function
def train_step(x, y):
    def step_fn(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return step_fn(x, y)


train_step(x, y)
model = keras.models.load_model("model.keras")
'''
    (finding,) = check_source(source, codes=["LP300"])
    assert (finding.line, finding.message) == (12, "LP300 model(...) in a training step without training=True; its "
                                                   "Dropout or noise layers run in inference mode")
    handed_to_run = source.replace("    return step_fn(x, y)\n", "    return strategy.run(step_fn, args=(x, y))\n")
    (finding,) = check_source(handed_to_run, codes=["LP300"])
    assert "its Dropout" in finding.message  # handed to a call made there: it runs during that call
    escapes = source.replace("    return step_fn(x, y)\n", "    return step_fn\n").replace(
        "train_step(x, y)\n", "step = train_step(x, y)\n")
    (finding,) = check_source(escapes, codes=["LP300"])
    assert "matters if" in finding.message  # returned: it may run after the re-binding


# A step training the module's ``model``, for sources that define it.
STEP = '''

def step(x, y, opt):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
'''


def test_a_layer_made_by_a_partial_counts_with_the_partial_s_arguments():
    source = '''from functools import partial

import tensorflow as tf

Recurrent = partial(tf.keras.layers.GRU, dropout={rate})
model = tf.keras.Sequential([tf.keras.layers.Embedding(10, 4), Recurrent(8), tf.keras.layers.Dense(1)])
''' + STEP
    (finding,) = check_source(source.format(rate="0.2"), codes=["LP300"])
    assert "its Dropout or noise layers run in inference mode" in finding.message
    assert check_source(source.format(rate="0.0"), codes=["LP300"]) == []


def test_rnn_cells_kept_in_a_list_attribute_are_its_layers():
    source = '''import tensorflow as tf


class Encoder(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.cells = [tf.keras.layers.LSTMCell(8, dropout={rate}), tf.keras.layers.LSTMCell(8)]
        self.rnn = tf.keras.layers.RNN(self.cells)
        self.head = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.rnn(x))


model = Encoder()
''' + STEP
    (finding,) = check_source(source.format(rate="0.2"), codes=["LP300"])
    assert "its Dropout or noise layers run in inference mode" in finding.message
    assert check_source(source.format(rate="0.0"), codes=["LP300"]) == []  # seen, none phase-dependent


PLAIN = '''import tensorflow as tf


class Net(object):
    def __init__(self):
        self.body = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])

    def __call__(self, x{signature}):
        return self.body(x{passed})


def step(net, x, y, opt):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(net(x) - y))
    opt.apply_gradients(zip(tape.gradient(loss, net.trainable_variables), net.trainable_variables))


step(Net(), 1, 2, tf.keras.optimizers.SGD())
'''


def test_a_plain_class_whose_call_takes_no_flag_gets_a_manual_note_not_a_keyword_that_would_raise():
    (finding,) = check_source(PLAIN.format(signature="", passed=""), codes=["LP300"])
    assert finding.message.endswith("its BatchNormalization runs in inference mode")
    assert finding.edits == () and "__call__" in finding.manual


def test_a_plain_class_whose_call_hands_on_training_is_fixed_at_its_call():
    source = PLAIN.format(signature=", training=False", passed=", training=training")
    assert "net(x, training=True)" in fix_source(source, codes=["LP300"]).source


def test_a_call_in_a_helper_that_also_runs_outside_training_gets_a_note_not_a_hard_coded_flag():
    findings = check_source(read(FIXTURES / "lp300" / "model_call_in_a_shared_helper.py"), codes=["LP300"])
    notes = {(f.line, f.manual) for f in findings if not f.edits}
    assert {line for line, _ in notes} == {22, 25}
    assert all("through call()" in note or "through reconstruction()" in note for _, note in notes)
    assert [f.line for f in findings if f.edits] == [28]  # ``penalty``: only the tape calls it
