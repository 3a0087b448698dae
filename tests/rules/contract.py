"""What one rule's test file shows: its fixtures with line and column markers, its examples and
their fixes, all read from the rule in the registry and the lint fixtures.

A rule's file subclasses :class:`RuleTests` with its ``code`` and imports
:func:`pytest_generate_tests`, which gives each test its cases; the rule's own tests follow.

Lint fixtures are tests/fixtures/steps, silent and every ``lp<code>`` folder (``*.fixed.py`` is
what lp-fix must write for the fixture beside it, tests/test_fixer.py).  A marker ``# expect: LP100:13`` says the
rule reports on that line at that column (1-based, as flake8 prints it); a fixture without a
marker for a rule must not get that rule's findings.  Each fixture is checked with its path, as
flake8 passes it, so the resolver sees the fixture's folder as its project.
"""
import pathlib
from typing import List, Optional, Tuple

from conftest import FIXTURES, expectations, read
from flake8_learning_phase import check_source, fix_source
from flake8_learning_phase.core import Example, get

LINT = sorted(
    path
    for folder in [FIXTURES / "steps", FIXTURES / "silent"] + sorted(FIXTURES.glob("lp[0-9]*"))
    for path in folder.rglob("*.py")
    if not path.name.endswith(".fixed.py") and path.name != "__init__.py"
)


class Contract:
    """The fixtures and examples of one rule, and what it reports on them."""

    def __init__(self, code: str):
        self.code = code
        self.rule = get(code)
        marked = {path: self.marked(path) for path in LINT}
        self.fixtures = [path for path in LINT if marked[path]]
        self.others = [path for path in LINT if not marked[path]]
        self.invalid = [e for e in self.rule.examples if e.invalid]
        self.valid = [e for e in self.rule.examples if not e.invalid]
        self.fixed = [e for e in self.invalid if e.fixed is not None]

    @staticmethod
    def ids(paths: List[pathlib.Path]) -> List[str]:
        return [str(path.relative_to(FIXTURES)) for path in paths]

    def marked(self, path: pathlib.Path) -> List[Tuple[int, Optional[int]]]:
        """(line, column) of the fixture's markers for this rule (column None: any)."""
        return [(e.line, e.col) for e in expectations(read(path)) if e.code == self.code]

    def found(self, path: pathlib.Path) -> List[Tuple[int, int]]:
        """(line, column) of this rule's findings in the fixture, the column as flake8 prints it."""
        findings = check_source(read(path), codes=[self.code], path=str(path))
        return sorted((f.line, f.col + 1) for f in findings)

    def found_as_marked(self, path: pathlib.Path) -> List[Tuple[int, Optional[int]]]:
        """``found``, with the column dropped where the marker gives none."""
        lines_only = {line for line, col in self.marked(path) if col is None}
        return sorted((line, None if line in lines_only else col) for line, col in self.found(path))

    def reports(self, example: Example) -> bool:
        return self.code in {f.code for f in check_source(example.source)}

    def fixes(self, example: Example) -> str:
        return fix_source(example.source, codes=[self.code]).source


def _cases(name: str):
    """The test takes one of ``Contract.<name>`` per run."""
    def mark(test):
        test.cases = name
        return test
    return mark


class RuleTests:
    """The tests every rule's file runs; ``code`` is the rule's."""

    code = ""

    @_cases("fixtures")
    def test_reported_where_marked(self, contract, case):
        assert contract.found_as_marked(case) == contract.marked(case)

    @_cases("others")
    def test_not_reported_in_the_other_fixtures(self, contract, case):
        assert contract.found(case) == []

    @_cases("invalid")
    def test_invalid_example_is_reported(self, contract, case):
        assert contract.reports(case)

    @_cases("valid")
    def test_valid_example_is_not(self, contract, case):
        assert not contract.reports(case)

    @_cases("fixed")
    def test_invalid_example_is_fixed_to_its_fixed_text(self, contract, case):
        assert contract.fixes(case) == case.fixed


_CONTRACTS = {}


def pytest_generate_tests(metafunc):
    """Parametrises a :class:`RuleTests` test over its rule's cases (import it into the test module)."""
    name = getattr(metafunc.function, "cases", None)
    if name is None or metafunc.cls is None or not issubclass(metafunc.cls, RuleTests):
        return
    code = metafunc.cls.code
    if code not in _CONTRACTS:
        _CONTRACTS[code] = Contract(code)
    contract = _CONTRACTS[code]
    cases = getattr(contract, name)
    ids = Contract.ids(cases) if name in ("fixtures", "others") else [str(n) for n in range(len(cases))]
    metafunc.parametrize("contract", [contract], ids=[code])
    metafunc.parametrize("case", cases, ids=ids)
