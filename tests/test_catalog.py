"""The rule units: their examples behave as documented, and the rule pages are current."""
import pathlib

import pytest

from flake8_learning_phase import check_source, fix_source
from flake8_learning_phase.core import rules
from flake8_learning_phase.frontends.rule_pages import render_page

DOCS = pathlib.Path(__file__).parent.parent / "docs"
EXAMPLES = [(rule, example) for rule in rules() for example in rule.examples]
INVALID = [(rule.code, e) for rule, e in EXAMPLES if e.invalid]
VALID = [(rule.code, e) for rule, e in EXAMPLES if not e.invalid]
FIXED = [(rule.code, e) for rule, e in EXAMPLES if e.fixed is not None]


def test_every_rule_has_an_invalid_and_a_valid_example():
    for rule in rules():
        kinds = {example.invalid for example in rule.examples}
        assert kinds == {True, False}, rule.code


def test_every_message_starts_with_its_code():
    for rule, example in EXAMPLES:
        for finding in check_source(example.source):
            assert finding.message.startswith(finding.code + " ")


@pytest.mark.parametrize("code, example", INVALID, ids=[code for code, _ in INVALID])
def test_invalid_example_triggers_its_code(code, example):
    assert code in {f.code for f in check_source(example.source)}


@pytest.mark.parametrize("code, example", VALID, ids=[code for code, _ in VALID])
def test_valid_example_does_not(code, example):
    assert code not in {f.code for f in check_source(example.source)}


@pytest.mark.parametrize("code, example", FIXED, ids=[code for code, _ in FIXED])
def test_invalid_example_fixes_to_its_fixed_text(code, example):
    assert fix_source(example.source, codes=[code]).source == example.fixed


@pytest.mark.parametrize("rule", rules(), ids=[rule.code for rule in rules()])
def test_rule_page_is_generated_from_the_rule(rule):
    page = DOCS / "rules" / (rule.code + ".md")
    assert page.read_text(encoding="utf-8") == render_page(rule), "run python docs/generate_rule_pages.py"
