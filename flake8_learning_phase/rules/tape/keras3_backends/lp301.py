"""LP301: a Keras 3 JAX step that loses the non-trainable state ``stateless_call`` returns."""
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import Finding
from flake8_learning_phase.keras.models import resolve_model
from flake8_learning_phase.core.module import dotted
from flake8_learning_phase.core.registry import Prefilter, Rule, invalid, valid
from flake8_learning_phase.rules.tape.keras3_backends.jax_steps import model_where, stateless_steps
from flake8_learning_phase.rules.tape.keras3_backends.judgement import SHORT_UNSEEN
from flake8_learning_phase.rules.tape.keras3_backends.state import lost_state

PREFILTER = Prefilter(words=("stateless_call",), pattern=r"stateless_call\s*\(")

_MANUAL = ("return the state from the differentiated function (has_aux=True), thread it through the step "
           "and assign it back to the model's non_trainable_variables before evaluating or saving")

_BAD = '''\
import jax
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.BatchNormalization(),
                          keras.layers.Dense(1)])


def compute_loss(trainable_variables, non_trainable_variables, x, y):
    y_pred, _ = model.stateless_call(trainable_variables, non_trainable_variables, x, training=True)
    return keras.ops.mean((y_pred - y) ** 2)


grad_fn = jax.value_and_grad(compute_loss)
'''
_GOOD = '''\
import jax
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.BatchNormalization(),
                          keras.layers.Dense(1)])


def compute_loss(trainable_variables, non_trainable_variables, x, y):
    y_pred, non_trainable_variables = model.stateless_call(trainable_variables, non_trainable_variables, x,
                                                           training=True)
    return keras.ops.mean((y_pred - y) ** 2), non_trainable_variables


grad_fn = jax.value_and_grad(compute_loss, has_aux=True)


@jax.jit
def train_step(state, x, y):
    trainable_variables, non_trainable_variables = state
    (loss, non_trainable_variables), grads = grad_fn(trainable_variables, non_trainable_variables, x, y)
    return loss, (trainable_variables, non_trainable_variables)
'''
_VALID_DENSE_ONLY = _BAD.replace("keras.layers.BatchNormalization(),\n                          ", "")


def check(context: RuleContext) -> Iterator[Finding]:
    for step in stateless_steps(context):
        record = step.record
        info = resolve_model(context, step.model, *model_where(step))
        if info.seen and not info.phase_dependent:
            continue
        loss = lost_state(context, step)
        if loss is None:
            continue
        if not info.seen:
            matters = SHORT_UNSEEN
        elif info.owns_updates:
            matters = "BatchNorm keeps its first statistics"
        else:
            matters = "Dropout repeats one mask"
        edits = list(loss.edits)
        yield context.finding(RULE, record.node, edits, manual=None if edits else _MANUAL,
                              model=dotted(step.model) or "the model", how=loss.how, matters=matters)


RULE = Rule(
    code="LP301",
    title="Keras 3 JAX step loses the non-trainable state",
    message="{model}'s new state is lost: {how}; {matters}",
    fix_title="Assign the non-trainable state back to the model",
    detects=(
        "A `model.stateless_call(trainable, non_trainable, x)` in a function differentiated by "
        "`jax.grad` / `jax.value_and_grad` (with respect to the trainable variables) whose returned "
        "non-trainable state does not make it back into the model: dropped at the call "
        "(`y_pred, _ = ...`, `...[0]`, a name never read), not returned by the differentiated "
        "function (a loss without `has_aux`), not used by the step that calls the gradient function "
        "(it unpacks the new state and returns the old one), or returned by a step whose loop never "
        "assigns it back to `model.non_trainable_variables` (nor `model.variables`, `set_weights`) "
        "before the model is evaluated, called or saved. Reported at the `stateless_call` when the "
        "model runs BatchNormalization or Dropout (as found by the model resolver) or cannot be seen."
    ),
    why=(
        "The non-trainable state holds BatchNormalization's moving statistics and the seed of "
        "Dropout's random generator. Training losses stay exactly `model.fit`'s, but a model whose "
        "state is lost evaluates with its initial statistics (this repository's runtime program "
        "with `y_pred, _ = ...`: evaluation loss 1.18 against fit's 0.77), invisible in the "
        "training log; a lost seed replays the same dropout mask every step."
    ),
    fix=(
        "`lp-fix` fixes the keras.io guide's shapes. A loss that drops the state (`y_pred, _ = ...`, "
        "or a name it does not return) and returns the loss alone, differentiated without "
        "`has_aux` by a step that passes the state and returns it: the new state is named after "
        "the loss's state parameter and returned beside the loss, `has_aux=True` is added, and the "
        "step unpacks `(loss, state), grads = grad_fn(...)`. A step that unpacks the new state under "
        "a name it never uses: the name becomes the old state's, which the step returns. A loop "
        "whose trainable variables are assigned back (`for variable, value in "
        "zip(model.trainable_variables, ...): variable.assign(value)`) but not the non-trainable "
        "ones: the same loop over `model.non_trainable_variables` goes right after it. Every "
        "other shape gets a note saying what to thread by hand."
    ),
    silence=(
        "Stays silent for models the resolver sees completely without BatchNormalization, Dropout "
        "or other stateful phase-dependent layers, for stateless calls outside a gradient or "
        "differentiated with respect to inputs only, and where the state is threaded and assigned "
        "back. Silence one line with `# noqa: LP301`."
    ),
    examples=(
        invalid(_BAD),
        valid(_GOOD),
        valid(_VALID_DENSE_ONLY),
    ),
    prefilter=PREFILTER,
    check=check,
)
