"""LP910 (toy): ``print`` in a loop without ``flush=True``; lp-fix adds it."""
from flake8_learning_phase.core import AddKeyword, Rule, invalid, valid
from toy_family.loops import PREFILTER, loop_prints

BAD = "for epoch in range(3):\n    print(epoch)\n"
GOOD = "for epoch in range(3):\n    print(epoch, flush=True)\n"


def check(context):
    for record in loop_prints(context):
        call = record.node
        if not any(k.arg in ("flush", None) for k in call.keywords):
            yield context.finding(RULE, call, [AddKeyword(context.ref(call), "flush", "True")])


RULE = Rule(
    code="LP910",
    title="progress printed without flush",
    message="print() in a loop without flush=True",
    fix_title="Flush this print",
    detects="A call of the builtin `print` in a loop body without `flush=`.",
    why="Progress of a long loop shows up late when stdout is a pipe.",
    fix="`lp-fix` adds `flush=True`.",
    silence="Silent when `flush=` is passed.",
    examples=(invalid(BAD, fixed=GOOD), valid(GOOD)),
    prefilter=PREFILTER,
    check=check,
)
