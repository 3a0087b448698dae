"""Shared helpers: fixtures on disk and the expectations written in them."""
import pathlib
import re
import shutil
import subprocess
import sys
from typing import List, NamedTuple, Optional

import pytest

from flake8_learning_phase.core import split_lines

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
ROOT = pathlib.Path(__file__).parent.parent


def copy_checkout(target: pathlib.Path) -> pathlib.Path:
    """The working tree as a fresh clone holds it (tracked and new files, no build or tox
    leftovers), copied to ``target``; skips where the project is not a git checkout."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs the project as a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        check=True,
    ).stdout.decode("utf-8")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(source), str(target / name))
    return target
# Fixtures are code to lint, not tests: pytest would collect TensorFlow's own strategy_test.py
# there, importing the fixture's own `tensorflow` package (test_tensorflow2 would then think TF is installed).
collect_ignore = ["fixtures"]
STEPS = sorted(p for p in (FIXTURES / "steps").glob("*.py") if not p.name.endswith(".fixed.py"))
SILENT = sorted((FIXTURES / "silent").glob("*.py"))
# ``# expect: LP100:13 LP200``: a code, and the column flake8 prints (1-based) when given.
_EXPECT = re.compile(r"#\s*expect:\s*((?:LP\d{3}(?::\d+)?\s*)+)")


def read(path: pathlib.Path) -> str:
    with open(str(path), encoding="utf-8", newline="") as handle:
        return handle.read()


class Expectation(NamedTuple):
    line: int
    col: Optional[int]  # 1-based, as flake8 prints it; None when the marker gives no column
    code: str


def expectations(source: str) -> List[Expectation]:
    """The ``# expect: LP100:13 LP200`` markers (flake8-bugbear style), by line."""
    found = []
    for number, line in enumerate(split_lines(source), start=1):
        match = _EXPECT.search(line)
        if match:
            for marker in match.group(1).split():
                code, _, col = marker.partition(":")
                found.append(Expectation(number, int(col) if col else None, code))
    return sorted(found, key=lambda e: (e.line, e.code, e.col or 0))


def expected(source: str):
    """``(line, code)`` pairs of the markers."""
    return sorted((e.line, e.code) for e in expectations(source))


class Reported(NamedTuple):
    """One finding as flake8 prints it (the default format): path, line, 1-based column, code."""

    path: str
    line: int
    col: int
    code: str


_REPORTED = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+)\b", re.M)


def flake8_findings(target, select: str) -> List[Reported]:
    """Run flake8 (``--isolated``) on a file or folder with ``--select=select``: what it reports.
    A crash or a usage error fails the test (exit codes other than 0 and 1)."""
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=" + select, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return [Reported(m.group("path"), int(m.group("line")), int(m.group("col")), m.group("code"))
            for m in _REPORTED.finditer(done.stdout)]


def ids(paths):
    return [p.stem for p in paths]


@pytest.fixture
def fixtures_dir():
    return FIXTURES
