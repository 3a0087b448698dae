"""LP301, all of it: its fixtures (tests/fixtures, by ``# expect: LP301``), its examples and their
fixes (the rule's page shows the same); the JAX and torch step cases are in tests/test_lp300_keras3_backends.py and tests/rules/test_lp301_cases.py."""
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)


class TestLP301(RuleTests):
    code = "LP301"
