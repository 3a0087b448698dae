"""lp-fix's edits on before/after fixture pairs, plus the inputs that must not change."""
import ast

import libcst as cst
import pytest

from conftest import SILENT, STEPS, ids, read
from flake8_learning_phase import Settings, check_source, fix_source
from flake8_learning_phase.core import NameArgument, NodeRef
from flake8_learning_phase.fixer.edits import EditError, apply

PAIRS = [(p, p.with_name(p.stem + ".fixed.py")) for p in STEPS]


@pytest.mark.parametrize("before, after", PAIRS, ids=ids(STEPS))
def test_fix_matches_fixture(before, after):
    assert fix_source(read(before)).source == read(after)


@pytest.mark.parametrize("before, after", PAIRS, ids=ids(STEPS))
def test_fixed_file_reports_only_what_needs_a_person(before, after):
    manual = [(f.line, f.code) for f in check_source(read(before)) if not f.edits]
    assert [(f.line, f.code) for f in check_source(read(after))] == manual


@pytest.mark.parametrize("before, after", PAIRS, ids=ids(STEPS))
def test_second_run_changes_nothing(before, after):
    result = fix_source(read(after))
    assert not result.changed and result.source == read(after)


@pytest.mark.parametrize("path", SILENT, ids=ids(SILENT))
def test_silent_input_is_unchanged(path):
    # Why each must not change is the docstring at the top of the fixture.
    result = fix_source(read(path))
    assert not result.changed and result.source == read(path)


def _fix(body, **kwargs):
    source = "from keras import backend as K\n" + body
    return fix_source(source, **kwargs).source[len("from keras import backend as K\n"):]


STEP = "def f(model, x, loss, opt):\n    u = opt.get_updates(loss, model.trainable_weights) + model.updates\n"


def test_single_element_tuple_loses_its_tuple_comma():
    body = STEP + "    t = K.function((x,), [loss], u)\n    t((1,))\n"
    assert _fix(body).endswith("    t = K.function((x, K.learning_phase()), [loss], u)\n    t((1, True))\n")


def test_single_line_trailing_comma_is_kept():
    body = STEP + "    t = K.function([x,], [loss], u)\n    t([1,])\n"
    assert _fix(body).endswith("    t = K.function([x, K.learning_phase(),], [loss], u)\n    t([1, True,])\n")


def test_hanging_list_without_trailing_comma_keeps_alignment():
    body = STEP + "    t = K.function([x,\n                    x], [loss], u)\n    t([1,\n       2])\n"
    fixed = _fix(body)
    assert "[x,\n                    x,\n                    K.learning_phase()]" in fixed
    assert "t([1,\n       2,\n       True])" in fixed


def test_comments_inside_the_list_are_kept():
    body = STEP + "    t = K.function([x,  # features\n                    x], [loss], u)\n    t([1, 2])\n"
    assert "[x,  # features\n" in _fix(body)


def test_conditional_updates_get_parentheses():
    body = (
        "def f(model, x, loss, opt, fast):\n"
        "    t = K.function([x, K.learning_phase()], [loss],"
        " opt.get_updates(loss, model.trainable_weights) if fast else [])\n"
        "    t([1, True])\n"
    )
    fixed = _fix(body)
    assert "(opt.get_updates(loss, model.trainable_weights) if fast else []) + model.updates" in fixed
    ast.parse(fixed)


def test_tuple_feed_name_gets_a_tuple():
    body = STEP + "    t = K.function([x], [loss], u)\n    batch = (1,)\n    t(batch)\n"
    assert _fix(body).endswith("    t(batch + (True,))\n")


def test_feed_longer_than_inputs_is_left_alone():
    # The user already feeds the phase (as 1) that K.function drops today;
    # once the phase is an input that value reaches it.
    body = STEP + "    t = K.function([x], [loss], u)\n    t([1, 1])\n"
    assert _fix(body).endswith("    t = K.function([x, K.learning_phase()], [loss], u)\n    t([1, 1])\n")


def test_symbolic_learning_phase_is_inserted_when_asked():
    body = STEP + "    t = K.function([x], [loss], u)\n    t([1])\n"
    fixed = _fix(body, settings=Settings(learning_phase="symbolic_learning_phase"))
    assert "K.symbolic_learning_phase()" in fixed


def test_select_restricts_the_codes_fixed():
    source = read(STEPS[0].parent / "inline_updates.py")
    result = fix_source(source, codes={"LP200"})
    assert [f.code for f in result.fixed] == ["LP200"]
    assert "learning_phase" not in result.source and "+ model.updates" in result.source


def test_returned_step_feeds_the_phase_itself():
    # Callers elsewhere cannot be edited: the step gets feed_dict, and no manual edit is left.
    result = fix_source(read(STEPS[0].parent / "returned_no_callers.py"))
    assert result.changed and result.manual == ()
    assert "feed_dict={K.learning_phase(): True}" in result.source


def test_model_applied_to_an_unnamed_tensor_needs_a_manual_edit():
    result = fix_source(read(STEPS[0].parent / "gan_applied_inline.py"))
    (note,) = result.manual
    assert note[0] == 21 and "line 19" in note[1] and "netD.get_updates_for" in note[1]


def test_counts_call_sites_updated():
    result = fix_source(read(STEPS[0].parent / "updates_through_name.py"))
    assert result.call_sites_updated == 1


def test_crlf_line_endings_are_kept():
    source = read(STEPS[0].parent / "updates_through_name.py").replace("\n", "\r\n")
    fixed = fix_source(source).source
    assert fixed == read(STEPS[0].parent / "updates_through_name.fixed.py").replace("\n", "\r\n")


def test_name_argument_names_the_last_positional_argument_only():
    call = cst.parse_expression("dropout(h, 0.5, flag,  name='d')")
    ref = NodeRef(1, 0, "Call")
    named = apply(NameArgument(ref, 2, "training"), call)
    assert cst.Module([]).code_for_node(named) == "dropout(h, 0.5, training=flag,  name='d')"
    for index, source in ((1, "dropout(h, 0.5, flag)"), (2, "dropout(h, 0.5, flag, *rest)"), (0, "dropout()")):
        with pytest.raises(EditError):
            apply(NameArgument(ref, index, "training"), cst.parse_expression(source))
