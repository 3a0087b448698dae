"""LP101, all of it: its fixtures (tests/fixtures, by ``# expect: LP101:<column>``), its examples
and their fixes (the rule's page shows the same), and what it does beyond them."""
import pytest

from contract import Contract

LP101 = Contract("LP101")


@pytest.mark.parametrize("path", LP101.fixtures, ids=Contract.ids(LP101.fixtures))
def test_reported_where_marked(path):
    assert LP101.found_as_marked(path) == LP101.marked(path)


@pytest.mark.parametrize("path", LP101.others, ids=Contract.ids(LP101.others))
def test_not_reported_in_the_other_fixtures(path):
    assert LP101.found(path) == []


@pytest.mark.parametrize("example", LP101.invalid)
def test_invalid_example_is_reported(example):
    assert LP101.reports(example)


@pytest.mark.parametrize("example", LP101.valid)
def test_valid_example_is_not(example):
    assert not LP101.reports(example)


@pytest.mark.parametrize("example", LP101.fixed)
def test_invalid_example_is_fixed_to_its_fixed_text(example):
    assert LP101.fixes(example) == example.fixed
