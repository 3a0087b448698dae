"""Each rule's documentation and examples, in one place (the Fixit habit).

The bad and good examples feed both the tests (each bad example triggers its
code, each good one does not) and the generated pages under docs/rules/.
"""
from typing import NamedTuple, Tuple

# Where the rule pages are published (also setup.cfg's url): SARIF help links point here.
HOMEPAGE = "https://github.com/flake8-learning-phase/flake8-learning-phase"


class Rule(NamedTuple):
    """One code: what it detects, why, what lp-fix does, and examples."""

    code: str
    title: str
    detects: str
    why: str
    fix: str
    silence: str
    bad: Tuple[str, ...]
    good: Tuple[str, ...]


_LP100_BAD = '''\
from keras import backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss, model.trainable_weights) + model.updates
    train = K.function([x, y], [loss], updates=updates)
    for xb, yb in batches:
        train([xb, yb])
'''
_LP100_GOOD = '''\
from keras import backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss, model.trainable_weights) + model.updates
    train = K.function([x, y, K.learning_phase()], [loss], updates=updates)
    for xb, yb in batches:
        train([xb, yb, True])
'''
_LP101_BAD = '''\
from keras import backend as K


class Trainer(object):
    def __init__(self, model, x, y, loss, optimizer):
        updates = optimizer.get_updates(loss, model.trainable_weights) + model.updates
        self.train_fn = K.function([x, y, K.learning_phase()], [loss], updates)

    def train_on_batch(self, xb, yb):
        return self.train_fn([xb, yb])
'''
_LP101_GOOD = _LP101_BAD.replace("self.train_fn([xb, yb])", "self.train_fn([xb, yb, 1])")
_LP200_BAD = '''\
import tensorflow as tf

K = tf.keras.backend


def make_step(model, x, y, loss, optimizer):
    updates = optimizer.get_updates(loss=loss, params=model.trainable_variables)
    return K.function([x, y, K.learning_phase()], [loss], updates=updates)
'''
_LP200_GOOD = _LP200_BAD.replace("updates=updates)", "updates=updates + model.updates)")

RULES = (
    Rule(
        code="LP100",
        title="training step without the learning phase",
        detects=(
            "A Keras backend `function(inputs, outputs, updates)` whose updates come from an "
            "optimizer's `get_updates(...)` (a training step), and whose inputs do not contain "
            "`K.learning_phase()` or `K.symbolic_learning_phase()`. Reported at the first line "
            "of the `K.function(...)` call."
        ),
        why=(
            "`model.fit()` feeds the learning phase as True at every step. A step without it "
            "leaves the placeholder at its default, False: BatchNormalization normalises with "
            "moving statistics instead of batch statistics, and Dropout is off. The loop trains "
            "a different network than `model.fit()` would, and deep nets blow up (measured on "
            "tensorflow 1.15.5: see [Why your custom loop diverges](../why-your-loop-diverges.md))."
        ),
        fix=(
            "`lp-fix` adds the learning phase as the last input, spelled the way the file spells "
            "`function` (`K.learning_phase()`, `tf.keras.backend.learning_phase()`, or "
            "`learning_phase()` added to a `from ... import function`), and appends `True` to "
            "the feed of every call of the step that the file shows. Callers in other files "
            "are not guessed at: lp-fix prints `path:line: callers outside this file must feed "
            "True as the last value`. Until they do, K.function ignores the missing trailing "
            "value and they behave as before."
        ),
        silence=(
            "Stays silent when the module calls `set_learning_phase(...)` (the phase is then a "
            "Python int and cannot be an input), when the inputs get the learning phase on some "
            "path (`inputs += [K.learning_phase()]` under an `if`, `.append(...)`), and when the "
            "inputs come from a call it cannot see into. Silence one line with `# noqa: LP100`."
        ),
        bad=(_LP100_BAD,),
        good=(_LP100_GOOD,),
    ),
    Rule(
        code="LP101",
        title="feed shorter than the step's inputs",
        detects=(
            "A call of a training step whose inputs contain the learning phase, with a literal "
            "feed list that stops before the learning phase's position. Reported at the call."
        ),
        why=(
            "K.function zips the values fed against its inputs and silently drops the inputs "
            "left over, so the learning phase falls back to False: the same effect as LP100, "
            "hidden behind code that looks right."
        ),
        fix="`lp-fix` appends `True` to the short feed.",
        silence=(
            "Only literal lists are counted, on both sides: a feed or inputs list built at run "
            "time is not reported. Silence one line with `# noqa: LP101`."
        ),
        bad=(_LP101_BAD,),
        good=(_LP101_GOOD,),
    ),
    Rule(
        code="LP200",
        title="training step without the model's updates",
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
        bad=(_LP200_BAD,),
        good=(_LP200_GOOD,),
    ),
)


def render_page(rule: Rule) -> str:
    """The Markdown page docs/rules/<code>.md (written by docs/generate_rule_pages.py)."""
    lines = [
        "# {}: {}".format(rule.code, rule.title),
        "",
        "<!-- Generated from flake8_learning_phase/core/_catalog.py by docs/generate_rule_pages.py. -->",
        "",
        "## What it detects",
        "",
        rule.detects,
        "",
        "## Why it matters",
        "",
        rule.why,
        "",
    ]
    for heading, examples in (("Bad", rule.bad), ("Good", rule.good)):
        lines += ["## " + heading, ""]
        for example in examples:
            lines += ["```python", example.rstrip("\n"), "```", ""]
    lines += ["## What lp-fix does", "", rule.fix, "", "## When it stays silent", "", rule.silence, ""]
    return "\n".join(lines)


def help_uri(rule: Rule) -> str:
    return "{}/blob/main/docs/rules/{}.md".format(HOMEPAGE, rule.code)
