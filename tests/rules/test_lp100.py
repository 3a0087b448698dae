"""LP100, all of it: its fixtures (tests/fixtures, by ``# expect: LP100:<column>``), its examples
and their fixes (the rule's page shows the same), and what it does beyond them."""
from conftest import FIXTURES, read
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)
from flake8_learning_phase import Settings, check_source
from flake8_learning_phase.core import AppendElement, ImportName

STEPS = FIXTURES / "steps"


class TestLP100(RuleTests):
    code = "LP100"


def test_message_starts_with_code_and_names_fix():
    (lp100, _) = check_source(read(STEPS / "inline_updates.py"))
    # The " (lp-fix)" hint is the front ends' (frontends/common.message), added to findings with edits.
    assert lp100.message.startswith("LP100 ") and lp100.edits
    assert "K.learning_phase()" in lp100.message


def test_lp100_edits_inputs_and_every_feed():
    lp100 = check_source(read(STEPS / "updates_through_name.py"))[0]
    assert [(type(e), e.text) for e in lp100.edits] == [(AppendElement, "K.learning_phase()"), (AppendElement, "True")]


def test_from_import_gets_learning_phase_added():
    lp100 = check_source(read(STEPS / "from_import_function.py"))[0]
    assert "learning_phase" in [e.name for e in lp100.edits if isinstance(e, ImportName)]


def test_existing_phase_import_is_reused():
    lp100 = check_source(read(STEPS / "from_import_function_alias.py"))[0]
    assert [(type(e), e.text) for e in lp100.edits][0] == (AppendElement, "phase()")


def test_symbolic_learning_phase_setting():
    source = read(STEPS / "tensorflow_python_keras.py")
    lp100 = check_source(source, Settings(learning_phase="symbolic_learning_phase"))[0]
    assert lp100.edits[0].text == "KB.symbolic_learning_phase()"
    assert "KB.symbolic_learning_phase()" in lp100.message


def test_phase_set_inside_a_function_silences_lp100():
    source = (
        "from keras import backend as K\n"
        "def main(model, x, loss, opt):\n"
        "    K.set_learning_phase(1)\n"
        "    train = K.function([x], [loss], opt.get_updates(loss, model.trainable_weights) + model.updates)\n"
        "    train([x])\n"
    )
    assert check_source(source) == []
