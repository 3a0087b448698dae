"""The rule units: each has examples and its test file (tests/rules/), and its page is current."""
import pathlib

import pytest

from flake8_learning_phase import check_source
from flake8_learning_phase.core import rules
from flake8_learning_phase.frontends.rule_pages import render_page

TESTS = pathlib.Path(__file__).parent
DOCS = TESTS.parent / "docs"
EXAMPLES = [(rule, example) for rule in rules() for example in rule.examples]


def test_every_rule_has_an_invalid_and_a_valid_example():
    for rule in rules():
        kinds = {example.invalid for example in rule.examples}
        assert kinds == {True, False}, rule.code


def test_every_message_starts_with_its_code():
    for rule, example in EXAMPLES:
        for finding in check_source(example.source):
            assert finding.message.startswith(finding.code + " ")


def test_every_rule_has_its_test_file():
    """One file shows all of a rule (its fixtures, examples and fixes): tests/rules/test_<code>.py."""
    for rule in rules():
        assert (TESTS / "rules" / "test_{}.py".format(rule.code.lower())).is_file(), rule.code


@pytest.mark.parametrize("rule", rules(), ids=[rule.code for rule in rules()])
def test_rule_page_is_generated_from_the_rule(rule):
    page = DOCS / "rules" / (rule.code + ".md")
    assert page.read_text(encoding="utf-8") == render_page(rule), "run python docs/generate_rule_pages.py"
