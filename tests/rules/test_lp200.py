"""LP200, all of it: its fixtures (tests/fixtures, by ``# expect: LP200:<column>``), its examples
and their fixes (the rule's page shows the same), and what it does beyond them."""
import pytest

from conftest import FIXTURES, read
from contract import Contract
from flake8_learning_phase import check_source
from flake8_learning_phase.core import Concatenate

LP200 = Contract("LP200")
STEPS = FIXTURES / "steps"


@pytest.mark.parametrize("path", LP200.fixtures, ids=Contract.ids(LP200.fixtures))
def test_reported_where_marked(path):
    assert LP200.found_as_marked(path) == LP200.marked(path)


@pytest.mark.parametrize("path", LP200.others, ids=Contract.ids(LP200.others))
def test_not_reported_in_the_other_fixtures(path):
    assert LP200.found(path) == []


@pytest.mark.parametrize("example", LP200.invalid)
def test_invalid_example_is_reported(example):
    assert LP200.reports(example)


@pytest.mark.parametrize("example", LP200.valid)
def test_valid_example_is_not(example):
    assert not LP200.reports(example)


@pytest.mark.parametrize("example", LP200.fixed)
def test_invalid_example_is_fixed_to_its_fixed_text(example):
    assert LP200.fixes(example) == example.fixed


def test_message_starts_with_code_and_names_fix():
    (_, lp200) = check_source(read(STEPS / "inline_updates.py"))
    assert lp200.message.startswith("LP200 ") and "model.updates" in lp200.message


def test_lp200_concatenates_model_updates():
    lp200 = check_source(read(STEPS / "inline_updates.py"))[1]
    assert [(type(e), e.text) for e in lp200.edits] == [(Concatenate, "model.updates")]
