"""LP301 (issue 21): the lint cases in tests/fixtures/keras3_backends (``# expect: LP301``),
their positions, the messages and the manual note (LP301 has no automatic fix)."""
import sys

import pytest

from conftest import read
from flake8_learning_phase import check_source, fix_source
from test_lp300_keras3_backends import CASES, call_columns, flake8, labels


def test_flake8_reports_exactly_the_labelled_lines_at_the_stateless_call():
    found = flake8(CASES, "LP301")
    assert {name: sorted(line for line, _, _ in hits) for name, hits in found.items()} == labels("LP301")
    for name, hits in found.items():
        source = read(CASES / name)
        for line, col, _ in hits:
            assert col - 1 in call_columns(source, line), (name, line, col)


def test_enough_cases_both_ways():
    names = [p.name for p in CASES.glob("lp301_*.py")]
    reported = labels("LP301")
    assert sum(n in reported for n in names) >= 5 and sum(n not in reported for n in names) >= 2


def findings(name):
    return check_source(read(CASES / name), codes=["LP301"])


def test_messages_say_how_the_state_is_lost_and_why_it_matters():
    (dropped,) = findings("lp301_state_discarded.py")
    assert dropped.message == "LP301 model's new state is lost: dropped; BatchNorm keeps its first statistics"
    (indexed,) = findings("lp301_first_element.py")
    assert indexed.message.endswith("[0] keeps only the outputs; Dropout repeats one mask")
    (loop,) = findings("lp301_never_assigned_back.py")
    assert "not assigned back before line 39" in loop.message
    (old,) = findings("lp301_step_returns_old_state.py")
    assert "the step ignores it (line 22)" in old.message


def test_assign_back_loop_of_the_guide_shape_is_fixed_after_the_trainable_one():
    source = read(CASES / "lp301_never_assigned_back.py")
    fixed = fix_source(source, codes=["LP301"]).source
    assert fixed == source.replace(
        "    variable.assign(value)\nmodel.evaluate",
        "    variable.assign(value)\nfor variable, value in zip(model.non_trainable_variables, state[1]):\n"
        "    variable.assign(value)\nmodel.evaluate",
    )
    assert check_source(fixed, codes=["LP301"]) == []
    unpacked = source.replace("for variable, value in zip(model.trainable_variables, state[0]):",
                              "trainable, non_trainable, opt_vars = state\n"
                              "for variable, value in zip(model.trainable_variables, trainable):")
    assert "zip(model.non_trainable_variables, non_trainable):" in fix_source(unpacked, codes=["LP301"]).source


def test_step_returning_the_old_state_unpacks_the_new_one_into_it():
    source = read(CASES / "lp301_step_returns_old_state.py")
    fixed = fix_source(source, codes=["LP301"]).source
    assert fixed == source.replace("(loss, new_non_trainable), grads", "(loss, non_trainable), grads")
    assert check_source(fixed, codes=["LP301"]) == []


@pytest.mark.skipif(sys.version_info < (3, 8), reason="the fix copies the loss expression: end positions")
def test_loss_without_has_aux_in_the_guide_step_gets_the_state_threaded():
    source = read(CASES / "lp301_state_discarded.py") + """

@jax.jit
def train_step(state, x, y):
    trainable, non_trainable = state
    loss, grads = grad_fn(trainable, non_trainable, x, y)
    return loss, (trainable, non_trainable)
"""
    fixed = fix_source(source, codes=["LP301"]).source
    for before, after in [
        ("y_pred, _ = model", "y_pred, non_trainable = model"),
        ("return keras.ops.mean((y_pred - y) ** 2)\n", "return keras.ops.mean((y_pred - y) ** 2), non_trainable\n"),
        ("jax.value_and_grad(compute_loss)", "jax.value_and_grad(compute_loss, has_aux=True)"),
        ("    loss, grads = grad_fn(", "    (loss, non_trainable), grads = grad_fn("),
    ]:
        source = source.replace(before, after)
    assert fixed == source
    assert check_source(fixed, codes=["LP301"]) == []


def test_other_shapes_get_a_manual_note_and_no_edit():
    for name in labels("LP301"):
        if name in ("lp301_never_assigned_back.py", "lp301_step_returns_old_state.py"):
            continue
        for finding in findings(name):
            assert finding.edits == () and "has_aux=True" in finding.manual
        source = read(CASES / name)
        assert fix_source(source, codes=["LP301"]).source == source


def test_dense_only_model_is_silent_and_an_unseen_model_is_reported():
    source = read(CASES / "lp301_state_discarded.py")
    dense = source.replace("keras.layers.BatchNormalization(),\n                          ", "")
    assert check_source(dense, codes=["LP301"]) == []
    unseen = source.replace("model = keras.Sequential(", "model = zoo.load(")
    unseen = unseen.replace("import jax\n", "import jax\nimport zoo\n")
    (finding,) = check_source(unseen, codes=["LP301"])
    assert finding.message.endswith("matters with BatchNorm or Dropout")


def test_model_assigned_back_through_variables_or_set_weights_is_silent():
    source = read(CASES / "lp301_never_assigned_back.py")
    for back in ("model.set_weights(state[0] + state[1])\n", "jax.tree_util.tree_map(lambda v, a: v.assign(a), "
                 "model.non_trainable_variables, state[1])\n"):
        fixed = source.replace("model.evaluate(x, y)\n", back + "model.evaluate(x, y)\n")
        assert check_source(fixed, codes=["LP301"]) == []


def test_guide_shape_is_silent():
    assert findings("lp301_assigned_back_silent.py") == []
    assert findings("lp301_module_loop_threads_state_silent.py") == []
