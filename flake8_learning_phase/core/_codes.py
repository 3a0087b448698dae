"""The one table of codes and messages (the flake8-bugbear habit: each message starts with its code)."""

LP100 = "LP100"
LP101 = "LP101"
LP200 = "LP200"

# Messages say what is wrong, why it matters (the model.fit comparison) and the fix.
MESSAGES = {
    LP100: (
        "LP100 training step without the learning phase in its inputs: BatchNormalization "
        "and Dropout run in inference mode, unlike model.fit(); add {phase} to the inputs "
        "and feed True last (lp-fix does both)"
    ),
    LP101: (
        "LP101 feed shorter than the training step's inputs: K.function drops the missing "
        "learning-phase value, which silently falls back to False; feed True last (lp-fix)"
    ),
    LP200: (
        "LP200 training step without {model}.updates: BatchNormalization moving statistics "
        "never change, unlike model.fit(); add + {model}.updates to the updates (lp-fix)"
    ),
}

ALL_CODES = tuple(sorted(MESSAGES))

# What lp-fix prints for a step whose callers it cannot see (issue 3).
OUTSIDE_CALLERS = "callers outside this file must feed True as the last value"
