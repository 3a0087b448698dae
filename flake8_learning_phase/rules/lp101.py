"""LP101: a call of a training step whose feed stops before the learning phase."""
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import CALL_SITE, Finding, Related
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.rules._steps import PREFILTER, feed, feed_edit, site_context, steps
from flake8_learning_phase.rules._values import PHASE, literal_items

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
    """Calls whose literal feed stops before the learning phase's position."""
    for step in steps(context):
        if step.phase_is_int:
            continue
        items = literal_items(step.inputs, step.context)
        if items is None:
            continue
        phase_at = next((i for i, t in enumerate(items) if t.kind == PHASE), None)
        if phase_at is None:
            continue
        for site in step.sites:
            fed = feed(site.node)
            if fed is None:
                continue
            where = site_context(site)
            fed_items = literal_items(fed, where, classify=False)
            if fed_items is None or len(fed_items) > phase_at:
                continue
            if len(fed_items) == phase_at:
                edit = feed_edit(context, fed, where)
                yield context.finding(RULE, site.node, [edit], None, [Related(context.ref(site.node), CALL_SITE)])
            else:
                yield context.finding(RULE, site.node, manual="the feed misses more than the learning phase")


RULE = Rule(
    code="LP101",
    title="feed shorter than the step's inputs",
    message="feed stops before the learning phase, so it is False; feed True last (lp-fix)",
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
)
