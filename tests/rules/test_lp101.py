"""LP101, all of it: its fixtures (tests/fixtures, by ``# expect: LP101:<column>``), its examples
and their fixes (the rule's page shows the same), and what it does beyond them."""
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)


class TestLP101(RuleTests):
    code = "LP101"
