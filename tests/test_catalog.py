"""The rule catalog: its examples behave as documented, and the rule pages are current."""
import pathlib

import pytest

from flake8_learning_phase import check_source
from flake8_learning_phase.core import ALL_CODES, MESSAGES
from flake8_learning_phase.core._catalog import RULES, render_page

DOCS = pathlib.Path(__file__).parent.parent / "docs"
BAD = [(rule.code, example) for rule in RULES for example in rule.bad]
GOOD = [(rule.code, example) for rule in RULES for example in rule.good]


def test_every_code_has_a_rule_and_a_message():
    assert tuple(rule.code for rule in RULES) == ALL_CODES == tuple(sorted(MESSAGES))


@pytest.mark.parametrize("code, example", BAD, ids=[code for code, _ in BAD])
def test_bad_example_triggers_its_code(code, example):
    assert code in {f.code for f in check_source(example)}


@pytest.mark.parametrize("code, example", GOOD, ids=[code for code, _ in GOOD])
def test_good_example_does_not(code, example):
    assert code not in {f.code for f in check_source(example)}


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_page_is_generated_from_the_catalog(rule):
    page = DOCS / "rules" / (rule.code + ".md")
    assert page.read_text(encoding="utf-8") == render_page(rule), "run python docs/generate_rule_pages.py"
