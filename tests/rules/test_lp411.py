"""LP411, all of it: its fixtures (tests/fixtures, by ``# expect: LP411``), its examples and their
fixes (the rule's page shows the same); the family's own cases are in tests/test_lp4xx.py."""
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)


class TestLP411(RuleTests):
    code = "LP411"
