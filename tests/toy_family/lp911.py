"""LP911 (toy): ``print(..., end="\\r")`` in a loop, a progress line a log file garbles; no fix."""
import ast

from flake8_learning_phase.core import Rule, invalid, valid
from toy_family.loops import PREFILTER, loop_prints

BAD = 'for step in range(3):\n    print(step, end="\\r", flush=True)\n'
GOOD = "for step in range(3):\n    print(step, flush=True)\n"


def _literal(node):
    """The value of a literal (a ``Str`` on Python 3.7, a ``Constant`` later), else None."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def check(context):
    for record in loop_prints(context):
        for keyword in record.node.keywords:
            if keyword.arg == "end" and _literal(keyword.value) == "\r":
                yield context.finding(RULE, record.node, manual="write progress with a logger or tqdm")


RULE = Rule(
    code="LP911",
    title="carriage-return progress line",
    message='print(end="\\r") in a loop garbles a log file',
    fix_title="Print whole lines",
    detects='A call of the builtin `print` in a loop body with `end="\\r"`.',
    why="A log file keeps every overwritten line.",
    fix="None: choose how to report progress.",
    silence="Silent for any other `end=`.",
    examples=(invalid(BAD), valid(GOOD)),
    prefilter=PREFILTER,
    check=check,
)
