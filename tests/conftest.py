"""Shared helpers: fixtures on disk and the expectations written in them."""
import pathlib
import re

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
# Fixtures are code to lint, not tests: pytest would collect TensorFlow's own strategy_test.py
# there, importing the fixture's own `tensorflow` package (test_tensorflow2 would then think TF is installed).
collect_ignore = ["fixtures"]
STEPS = sorted(p for p in (FIXTURES / "steps").glob("*.py") if not p.name.endswith(".fixed.py"))
SILENT = sorted((FIXTURES / "silent").glob("*.py"))
_EXPECT = re.compile(r"#\s*expect:\s*((?:LP\d{3}\s*)+)")


def read(path: pathlib.Path) -> str:
    with open(str(path), encoding="utf-8", newline="") as handle:
        return handle.read()


def expected(source: str):
    """``(line, code)`` pairs from ``# expect: LP100 LP200`` comments (flake8-bugbear style)."""
    pairs = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            pairs.extend((number, code) for code in match.group(1).split())
    return sorted(pairs)


def ids(paths):
    return [p.stem for p in paths]


@pytest.fixture
def fixtures_dir():
    return FIXTURES
