"""LP200: a training step whose updates lack the trained model's own updates."""
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import Concatenate, Finding
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.rules._steps import OPAQUE_UPDATES, PREFILTER, steps
from flake8_learning_phase.rules._values import MODEL_UPDATES

_BAD = '''\
import tensorflow as tf

K = tf.keras.backend


def make_step(model, x, y, loss, optimizer):
    updates = optimizer.get_updates(loss=loss, params=model.trainable_variables)
    return K.function([x, y, K.learning_phase()], [loss], updates=updates)
'''
_GOOD = _BAD.replace("updates=updates)", "updates=updates + model.updates)")


def check(context: RuleContext) -> Iterator[Finding]:
    for step in steps(context):
        terms = step.update_terms
        if (
            step.model is not None
            and not any(t.kind == MODEL_UPDATES for t in terms)
            and not any(t.kind in OPAQUE_UPDATES for t in terms)
        ):
            edit = Concatenate(context.ref(step.updates), step.model + ".updates")
            yield context.finding(RULE, step.record.node, [edit], model=step.model)


RULE = Rule(
    code="LP200",
    title="training step without the model's updates",
    message="training step updates lack {model}.updates; add them (lp-fix)",
    fix_title="Add the model's updates to this training step",
    detects=(
        "A training step whose updates do not include the trained model's own updates "
        "(`model.updates`, `model.get_updates_for(...)`). The trained model is the object "
        "whose `trainable_weights`, `trainable_variables` or `weights` are passed to "
        "`get_updates`. Reported at the first line of the `K.function(...)` call."
    ),
    why=(
        "`model.fit()` runs `model.updates` at every step: the BatchNormalization moving "
        "mean and variance. Without them the moving statistics stay at their initial values "
        "(0 and 1), and the trained model evaluates and predicts with them."
    ),
    fix="`lp-fix` adds `+ model.updates` to the updates argument of the `K.function(...)` call.",
    silence=(
        "Stays silent when the updates include a term it cannot see into (a parameter, an "
        "attribute, the result of an unknown call), or when `get_updates` trains the weights "
        "of several models. Silence one line with `# noqa: LP200`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), valid(_GOOD)),
    prefilter=PREFILTER,
    check=check,
)
