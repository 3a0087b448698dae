"""LP101: a call of a training step whose feed stops before the learning phase."""
import ast
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import CALL_SITE, Finding, Related
from flake8_learning_phase.core.registry import FIX_SOMETIMES, SAFE, Rule, invalid, valid
from flake8_learning_phase.keras.backend import UNSEEN_MODEL
from flake8_learning_phase.rules.backend_function.steps import (
    PREFILTER,
    feed,
    feed_edit,
    phase_matters,
    site_context,
    steps,
)
from flake8_learning_phase.flow.terms import CALL, ITEM, PARAMETER, PHASE, flatten, literal_items

_BAD = '''\
from keras import backend as K


class Trainer(object):
    def __init__(self, model, x, y, loss, optimizer):
        updates = optimizer.get_updates(loss, model.trainable_weights) + model.updates
        self.train_fn = K.function([x, y, K.learning_phase()], [loss], updates)

    def train_on_batch(self, xb, yb):
        return self.train_fn([xb, yb])
'''
_GOOD = _BAD.replace("self.train_fn([xb, yb])", "self.train_fn([xb, yb, True])")


def check(context: RuleContext) -> Iterator[Finding]:
    for step in steps(context):
        if step.phase_is_int or not any(True for _ in _findings(context, step, "")):
            continue
        # Only now the model resolver, which may read other modules of the project.
        matters = phase_matters(context, step)
        if matters is not False:
            yield from _findings(context, step, "feed True last" if matters else UNSEEN_MODEL)


def _findings(context: RuleContext, step, advice: str) -> Iterator[Finding]:
    items = literal_items(step.inputs, step.context)
    if items is not None:
        yield from _short_literal_feeds(context, step, items, advice)
    elif step.input_terms and step.input_terms[-1].kind == PHASE:
        yield from _feeds_without_phase(context, step, advice)


def _short_literal_feeds(context: RuleContext, step, items, advice: str) -> Iterator[Finding]:
    """Calls whose literal feed stops before the learning phase's position."""
    phase_at = next((i for i, t in enumerate(items) if t.kind == PHASE), None)
    if phase_at is None:
        return
    for site in step.sites:
        fed = feed(site.node)
        if fed is None:
            continue
        where = site_context(site)
        fed_items = literal_items(fed, where, classify=False)
        if fed_items is None or len(fed_items) > phase_at:
            continue
        if len(fed_items) == phase_at:
            yield _fed_true(context, site, fed, where, advice)
        else:
            yield context.finding(RULE, site.node, manual="the feed misses more than the learning phase", advice=advice)


def _feeds_without_phase(context: RuleContext, step, advice: str) -> Iterator[Finding]:
    """Inputs built at run time that end with the phase, fed a list that never holds it.

    The keras-rl2 DDPG shape: ``state_inputs + [K.learning_phase()]`` fed
    ``inputs = [state0_batch]``.  Reported only when the feed is built from
    literal lists on every path we can see and no element could be the phase
    (a constant, or a name such as ``training`` or ``learning_phase``).
    """
    for site in step.sites:
        fed = feed(site.node)
        if fed is None:
            continue
        where = site_context(site)
        terms = flatten(fed, where)
        if not any(t.kind == ITEM for t in terms) or any(_could_be_phase(t) for t in terms):
            continue
        yield _fed_true(context, site, fed, where, advice)


def _fed_true(context: RuleContext, site, fed, where, advice: str) -> Finding:
    """The finding at a call of the step, with the edit that feeds True last."""
    edit = feed_edit(context, fed, where)
    return context.finding(RULE, site.node, [edit], None, [Related(context.ref(site.node), CALL_SITE)], advice=advice)


_PHASE_WORDS = ("train", "phase", "learning", "mode")


def _could_be_phase(term) -> bool:
    if term.kind in (PHASE, PARAMETER, CALL):
        return True
    node = term.node
    if term.kind != ITEM:
        return False  # a slice or copy of a list built elsewhere: the literal paths decide
    if isinstance(node, ast.Constant) or type(node).__name__ in ("Num", "NameConstant"):
        return True
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return any(word in name.lower() for word in _PHASE_WORDS) or not isinstance(node, (ast.Name, ast.Attribute))


RULE = Rule(
    code="LP101",
    title="feed shorter than the step's inputs",
    message="feed ends before the learning phase, left False; {advice}",
    fix_title="Feed True as the last value",
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
    examples=(invalid(_BAD, fixed=_GOOD), valid(_BAD.replace("[xb, yb])", "[xb, yb, 1])"))),
    prefilter=PREFILTER,
    check=check,
    fixability=FIX_SOMETIMES,
    safety=SAFE,
)
