"""LP200, all of it: its fixtures (tests/fixtures, by ``# expect: LP200:<column>``), its examples
and their fixes (the rule's page shows the same), and what it does beyond them."""
from conftest import FIXTURES, read
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)
from flake8_learning_phase import check_source
from flake8_learning_phase.core import Concatenate

STEPS = FIXTURES / "steps"


class TestLP200(RuleTests):
    code = "LP200"


def test_message_starts_with_code_and_names_fix():
    (_, lp200) = check_source(read(STEPS / "inline_updates.py"))
    assert lp200.message.startswith("LP200 ") and "model.updates" in lp200.message and lp200.edits


def test_lp200_concatenates_model_updates():
    lp200 = check_source(read(STEPS / "inline_updates.py"))[1]
    assert [(type(e), e.text) for e in lp200.edits] == [(Concatenate, "model.updates")]
