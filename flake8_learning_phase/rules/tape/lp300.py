"""LP300: a model called in a TF2 / Keras 3 training step without ``training=True``."""
import ast
import itertools
from typing import Dict, Iterator, NamedTuple, Optional, Set

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AddKeyword, Finding
from flake8_learning_phase.keras.models import NOT_POSITIONAL, ModelInfo, resolve_model
from flake8_learning_phase.core.module import CallRecord, qualified_name
from flake8_learning_phase.core.registry import FIX_SOMETIMES, UNSAFE, Rule, invalid, valid
from flake8_learning_phase.keras.backend import UNSEEN_MODEL, sets_training_phase
from flake8_learning_phase.rules.tape.keras3_backends import lp300_steps
from flake8_learning_phase.rules.tape.steps import PREFILTER, ModelCall, model_calls, model_text

# Keywords that set the mode: Keras' ``training``, and ``is_training`` of models whose own call
# names it so (Sonnet style): adding ``training=True`` next to it would be wrong.
_FLAGS = ("training", "is_training")
_NO_GRADIENT = ("argmax", "argmin", "stop_gradient")

_BAD = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam()


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
'''
_GOOD = _BAD.replace("pred = model(x)", "pred = model(x, training=True)")
_BAD_TRAIN_STEP = '''\
import tensorflow as tf
from tensorflow import keras


class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(16)
        self.dropout = keras.layers.Dropout(0.5)
        self.logits = keras.layers.Dense(10)

    def call(self, inputs):
        return self.logits(self.dropout(self.hidden(inputs)))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x)
            loss = self.compiled_loss(y, y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        return {"loss": loss}
'''
_GOOD_TRAIN_STEP = _BAD_TRAIN_STEP.replace("y_pred = self(x)", "y_pred = self(x, training=True)")
_VALID_NO_PHASE_LAYERS = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(10)])
optimizer = tf.keras.optimizers.Adam()


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
'''
_VALID_EVALUATION = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(1)])


@tf.function
def test_step(x, y):
    return tf.reduce_mean(tf.square(model(x) - y))
'''


def check(context: RuleContext) -> Iterator[Finding]:
    if sets_training_phase(context.model):
        return  # tf.keras 2 layers then run in training mode without a flag
    reported: Set[int] = set()
    for found in model_calls(context):
        if id(found.record.node) in reported:
            continue
        finding = _finding(context, found)
        if finding is not None:
            reported.add(id(found.record.node))
            yield finding


def _passes_training(call: ast.Call, info: ModelInfo) -> bool:
    if info.flag is not None:
        # the model's own flag (``is_training=``): a ``training=`` does not reach its layers
        if any(k.arg == info.flag or k.arg is None for k in call.keywords):
            return True
    elif any(k.arg in _FLAGS or k.arg is None for k in call.keywords):
        return True
    if any(isinstance(a, ast.Starred) for a in call.args):
        return True  # *args may hold it
    # Keras' own models take ``call(inputs, training)``; a model's own ``call(self, a, b)`` takes data
    position = info.training_position if info.training_position is not None else 1
    return position != NOT_POSITIONAL and len(call.args) > position


def _guarded_by_training_check(context: RuleContext, record: CallRecord) -> bool:
    """The call sits under an ``if`` that asks whether the model takes ``training`` at all.

    Keras 3's own ``train_step``: ``if self._call_has_training_arg: self(x,
    training=True) else: self(x)``.
    """
    return id(record.node) in _scope_facts(context, record.scope.node).guarded


def _no_gradient(context: RuleContext, record: CallRecord) -> bool:
    """The call's output goes straight into ``tf.argmax`` or ``tf.stop_gradient``: no gradient flows
    through it (double DQN picks its next action with ``tf.argmax(q(next_states))`` in the tape),
    so it is a target computation, not the trained forward pass."""
    taking = _scope_facts(context, record.scope.node).taking.get(id(record.node))
    if taking is None:
        return False
    name = qualified_name(taking.func, record.scope) or ""
    root = name.partition(".")[0]
    return root in ("tensorflow", "keras", "numpy") and name.rpartition(".")[2] in _NO_GRADIENT


class _ScopeFacts(NamedTuple):
    guarded: Set[int]  # the ids of the nodes under an ``if`` that asks whether ``call`` takes ``training``
    taking: Dict[int, ast.Call]  # for each positional argument of a call (by id), the call taking it


def _scope_facts(context: RuleContext, scope: ast.AST) -> _ScopeFacts:
    """What the checks ask of a model call's scope: found once per scope, in one walk, not once
    per model call."""
    return context.shared(("lp300 scope", id(scope)), lambda _: _walk_scope(scope))


def _walk_scope(scope: ast.AST) -> _ScopeFacts:
    facts = _ScopeFacts(set(), {})
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            for arg in node.args:
                facts.taking.setdefault(id(arg), node)
        elif isinstance(node, ast.If) and any(_asks_for_training_arg(n) for n in ast.walk(node.test)):
            facts.guarded.update(id(n) for n in ast.walk(node))
    return facts


def _asks_for_training_arg(node: ast.AST) -> bool:
    """Part of a test whether a model's ``call`` takes ``training`` at all: Keras 3's
    ``self._call_has_training_arg``, Keras 2's ``self._expects_training_arg``, ``has_arg(fn,
    "training")`` (not a flag that picks a branch, ``if is_training:``)."""
    name = getattr(node, "id", None) or getattr(node, "attr", None) or ""
    if any(word in name for word in ("has_training", "training_arg", "expects_training")):
        return True
    return isinstance(node, ast.Call) and any(
        type(arg).__name__ in ("Constant", "Str") and getattr(arg, "value", getattr(arg, "s", None)) == "training"
        for arg in node.args)


def _finding(context: RuleContext, found: ModelCall) -> Optional[Finding]:
    record, part = found.record, found.part
    call = record.node
    if any(k.arg is None for k in call.keywords):
        return None
    if _guarded_by_training_check(context, record) or _no_gradient(context, record):
        return None
    info = resolve_model(context, call.func, record.scope, record.seq, record.blocks)
    if _passes_training(call, info):
        return None
    if info.trains_by_default or info.seen and not info.phase_dependent:
        return None
    if part and not info.seen:
        return None  # an attribute of a trained model is reported only when seen to be a model
    if not info.seen:
        advice = UNSEEN_MODEL
    elif info.owns_updates:
        advice = "its BatchNormalization runs in inference mode"
    else:
        advice = "its Dropout or noise layers run in inference mode"
    model = model_text(call.func) or "the model"
    if not info.takes_flag:
        # a plain class's ``__call__(self, x)``: ``training=True`` would raise a TypeError
        manual = "hand a training flag through the __call__ of {} to its layers".format(model)
        return context.finding(RULE, call, manual=manual, model=model, advice=advice)
    if found.shared_helper is not None:
        # ``training=True`` in a helper that evaluation and inference run too would train there
        manual = "pass a training flag through {}() to {}(...) and give it True from the training step".format(
            found.shared_helper, model)
        return context.finding(RULE, call, manual=manual, model=model, advice=advice)
    flag = info.flag or "training"
    if flag != "training":
        advice += " (its call takes {}=)".format(flag)
    edit = AddKeyword(context.ref(call), flag, "True")
    return context.finding(RULE, call, [edit], model=model, advice=advice)


def _all_steps(context: RuleContext) -> Iterator[Finding]:
    """The tape steps, then Keras 3's JAX and torch steps (keras3_backends/, issue 21)."""
    return itertools.chain(check(context), lp300_steps.findings(context, RULE))


RULE = Rule(
    code="LP300",
    title="model called in a training step without training=True",
    message="{model}(...) in a training step without training=True; {advice}",
    fix_title="Pass training=True to this model call",
    detects=(
        "A call of a Keras model inside a TF2 / Keras 3 training step that passes no training "
        "argument. A *training step* is the body of `with tf.GradientTape() as tape:` (any number "
        "of tapes, `persistent=True`, several in one `with`) whose `tape.gradient(...)` is taken "
        "with respect to that model's `trainable_variables` or `trainable_weights` (or `variables`, "
        "`weights`): directly, "
        "through a name (`params = a.trainable_variables + b.trainable_variables`, or a list "
        "filled by `params.extend(...)`), through a parameter the calls in the file pass, through "
        "`optimizer.apply_gradients(zip(grads, model.trainable_variables))`, or through Keras 2's "
        "`optimizer.minimize(loss, model.trainable_variables, tape=tape)`. Keras 2's "
        "`optimizer.minimize(<loss>, model.trainable_variables)` with a callable loss (a lambda, or a "
        "function of the file) is a training step too: that loss is its body. In a `train_step` "
        "override that is `self(x)` or `self.<sub-model>(x)`; a sub-model of a differentiated "
        "model counts too (`self.encoder(x)` when the tape takes `self.trainable_weights`), when "
        "the resolver sees it is a model. A call inside a helper the tape calls "
        "(a loss function receiving the model, a method of the same class) is reported at that "
        "call. The flag counts as passed when it is a keyword (`training=True`, `training=False`, "
        "`training=flag`, `**kwargs`, Sonnet's `is_training=`) or positional where the model's own "
        "`call(self, x, training)` takes it (the second argument for Keras' own models; none for a "
        "`call(self, a, b)` without `training`). Reported only when the model runs "
        "phase-dependent layers without their own `training=` (BatchNormalization, Dropout and "
        "its variants, GaussianNoise, "
        "GaussianDropout, AlphaDropout, RNN layers with dropout, `keras.applications` models, "
        "project layers that read `training`), as found by the model resolver across the project's "
        "own modules, or when the model cannot be seen at all (a hub layer, a library builder, a "
        "parameter whose callers are not visible): the message then says the fix matters if it "
        "has BatchNormalization or Dropout. A model parameter no visible call passes is judged "
        "by the networks its own module's builders return, when it has any (a library module "
        "that builds and trains its models). A plain class of the project (no Keras base) with a "
        "`__call__` counts as a model that runs the layers it keeps and the Keras models its "
        "`__call__` calls by name. Reported at the model call."
    ) + lp300_steps.DETECTS,
    why=(
        "`model.fit()` calls the model with `training=True`. A call without it runs in inference "
        "mode: BatchNormalization normalises with its moving statistics and never updates them, "
        "and Dropout is off. The gradient step then trains a different network than "
        "`model.fit()` would, and the trained model evaluates with its initial statistics "
        "(tensorflow#31184, #32864; the keras-io DDPG example)."
    ),
    fix=(
        "`lp-fix` adds `training=True` as the last argument of the call, keeping comments, "
        "formatting and trailing commas. A plain class whose `__call__` takes no flag (no "
        "`training`, no `**kwargs`) gets no edit: the flag has to be handed through it by hand. "
        "Nor does a call in a helper that also runs outside training steps (the model's own "
        "`call`, which every use of the model runs; a loss helper `test_step` calls too): "
        "`training=True` there would train evaluation and inference as well, so the note says to "
        "pass a flag through the helper."
    ) + lp300_steps.FIX,
    silence=(
        "Stays silent for calls outside a training step (evaluation and inference steps, a step "
        "defined in a function that never mentions it, a tape "
        "whose gradient is taken with respect to inputs, a target network called in the tape but "
        "not differentiated, a call whose output goes straight into `tf.argmax` or "
        "`tf.stop_gradient`), for calls that pass a training argument, for objects that are not "
        "Keras (Sonnet, TensorLayer; a `tf.Module` that keeps no Keras layer), in a module that calls "
        "`set_learning_phase(1)` (tf.keras 2 layers then read that phase), and for models the resolver "
        "sees completely without phase-dependent layers (Dense, Conv, LayerNormalization, layers "
        "called with their own literal `training=`), and for subclassed models whose own "
        "`call(self, x, training=True)` defaults the flag to True (TF2 Keras and Keras 3 use that "
        "default when a call passes none), or whose `call` first turns a missing flag into True "
        "(`if training is None: training = True`). " + lp300_steps.SILENCE + " Silence one line with `# noqa: LP300`."
    ),
    examples=(
        invalid(_BAD, fixed=_GOOD),
        invalid(_BAD_TRAIN_STEP, fixed=_GOOD_TRAIN_STEP),
        valid(_GOOD),
        valid(_GOOD_TRAIN_STEP),
        valid(_VALID_NO_PHASE_LAYERS),
        valid(_VALID_EVALUATION),
    ) + lp300_steps.EXAMPLES,
    prefilter=PREFILTER,
    check=_all_steps,
    fixability=FIX_SOMETIMES,  # a jitted JAX step or a call reaching a torch module: a manual note
    safety=UNSAFE,
)
