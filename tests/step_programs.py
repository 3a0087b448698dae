"""A hypothesis strategy for whole modules with one training step, in the shapes of real code.

Every choice is one of the shapes the survey of 42 real steps found: the
import form, get_updates' signature, how updates and inputs reach K.function,
where the step is kept and how it is fed.
"""
from hypothesis import strategies as st

IMPORTS = [
    ("from keras import backend as {alias}", "{alias}"),
    ("import keras.backend as {alias}", "{alias}"),
    ("from tensorflow.keras import backend as {alias}", "{alias}"),
    ("import tensorflow.keras.backend as {alias}", "{alias}"),
    ("from tensorflow.python.keras import backend as {alias}", "{alias}"),
    ("import tensorflow as {alias}", "{alias}.keras.backend"),
    ("import tensorflow.compat.v1 as {alias}", "{alias}.keras.backend"),
]
GET_UPDATES = [
    "optimizer.get_updates(loss, model.trainable_weights)",
    "optimizer.get_updates(loss=loss, params=model.trainable_weights)",
    "optimizer.get_updates(params=model.trainable_variables, loss=loss)",
    "optimizer.get_updates(model.trainable_weights, [], loss)",
]
INPUTS = ["[x, y]", "[\n        x,\n        y,\n    ]", "[x,  # features\n     y]", "model.inputs + [y]", "inputs"]
FEEDS = ["[xb, yb]", "[\n            xb,\n            yb,\n        ]", "batch"]


@st.composite
def step_programs(draw):
    alias = draw(st.sampled_from(["K", "KB", "kb", "backend_", "tf"]))
    imports, prefix = draw(st.sampled_from(IMPORTS))
    function = prefix.format(alias=alias) + ".function"
    get_updates = draw(st.sampled_from(GET_UPDATES))
    updates_shape = draw(st.sampled_from(["inline", "name", "augmented", "concatenated"]))
    inputs = draw(st.sampled_from(INPUTS))
    feed = draw(st.sampled_from(FEEDS))
    keyword = draw(st.booleans())
    storage = draw(st.sampled_from(["local", "self", "helper"]))

    body = ["inputs = [x, y]"] if inputs == "inputs" else []
    if updates_shape == "inline":
        updates = get_updates
    elif updates_shape == "name":
        body.append("updates = " + get_updates)
        updates = "updates"
    elif updates_shape == "augmented":
        body += ["updates = []", "updates += " + get_updates]
        updates = "updates"
    else:
        body.append("extra = [clip_op]")
        updates = get_updates + " + extra"
    call = "{}({}, [loss], {}{})".format(function, inputs, "updates=" if keyword else "", updates)
    feed_setup = "batch = [xb, yb]\n        " if feed == "batch" else ""

    lines = [imports.format(alias=alias), "", ""]
    if storage == "local":
        lines += ["def fit(model, x, y, loss, optimizer, clip_op, batches):"]
        lines += ["    " + line for line in body]
        lines += ["    train = " + call, "    for xb, yb in batches:", "        {}train({})".format(feed_setup, feed)]
    elif storage == "self":
        lines += ["class Trainer(object):", "    def __init__(self, model, x, y, loss, optimizer, clip_op):"]
        lines += ["        " + line for line in body]
        lines += ["        self.train_fn = " + call, "", "    def step(self, xb, yb):"]
        lines += ["        {}return self.train_fn({})".format(feed_setup.replace("        ", "    "), feed)]
    else:
        lines += ["def build(model, x, y, loss, optimizer, clip_op):"]
        lines += ["    " + line for line in body]
        lines += ["    return " + call, "", "", "def fit(model, x, y, loss, optimizer, clip_op, batches):"]
        lines += ["    train = build(model, x, y, loss, optimizer, clip_op)", "    for xb, yb in batches:"]
        lines += ["        {}train({})".format(feed_setup, feed)]
    return "\n".join(lines) + "\n"
