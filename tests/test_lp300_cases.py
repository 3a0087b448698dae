"""The LP300 lint cases (issue 12): tests/fixtures/lp300 and the TF2 proof programs.

Every ``# expect: LP300`` line must be reported, and nothing else: flake8 runs
once over each case folder (so cross-module cases in a subfolder see their
sibling modules, as in a project).  The checks on the cases themselves (a
docstring saying why, a model call on each labelled line) need no TensorFlow.
"""
import ast
import os
import sys

import pytest

from conftest import FIXTURES, expected, flake8_findings, read

LP300 = FIXTURES / "lp300"
PROGRAMS = FIXTURES / "tensorflow2"


def cases(folder):
    return sorted(p for p in folder.rglob("*.py") if p.name not in ("__init__.py", "tf2harness.py"))


ALL = cases(LP300) + cases(PROGRAMS)


def labels(paths):
    return {str(p): [line for line, code in expected(read(p)) if code == "LP300"] for p in paths}


def flake8_lp300(folder):
    found = {}
    for reported in flake8_findings(folder, "LP300"):
        found.setdefault(os.path.abspath(reported.path), []).append(reported.line)
    return found


@pytest.mark.parametrize("folder", [LP300, PROGRAMS], ids=["lp300", "tensorflow2"])
def test_flake8_reports_exactly_the_labelled_lines(folder):
    found = flake8_lp300(folder)
    want = {path: lines for path, lines in labels(cases(folder)).items() if lines}
    got = {path: sorted(lines) for path, lines in found.items()}
    assert got == want


@pytest.mark.parametrize("path", ALL, ids=[str(p.relative_to(FIXTURES)) for p in ALL])
def test_case_says_why(path):
    assert ast.get_docstring(ast.parse(read(path))), "a lint case says why it is reported or silent"


@pytest.mark.skipif(sys.version_info < (3, 8), reason="end positions need Python 3.8")
@pytest.mark.parametrize("path", ALL, ids=[str(p.relative_to(FIXTURES)) for p in ALL])
def test_each_label_marks_one_model_call(path):
    import tf2_proof

    source = read(path)
    tree = ast.parse(source)
    for line in tf2_proof.expected_lines(source):
        tf2_proof._model_call(tree, line)  # raises unless exactly one candidate call starts there
    fixed = tf2_proof.hand_fix_source(source)
    assert fixed.count("training=True") == source.count("training=True") + len(tf2_proof.expected_lines(source))
    ast.parse(fixed)


def test_there_are_enough_positive_and_negative_cases():
    counts = labels(cases(LP300))
    positive = [path for path, lines in counts.items() if lines]
    negative = [path for path, lines in counts.items() if not lines]
    assert len(counts) >= 30 and len(positive) >= 12 and len(negative) >= 10
