"""A rule registered through the public registry reaches every front end with no other edit."""
import ast
import dataclasses
import json
import pathlib
import shutil
import sys

import pytest

from flake8_learning_phase import register
from flake8_learning_phase.core import AddKeyword, Prefilter, Rule, invalid, unregister, valid
from flake8_learning_phase.frontends.cli import main

BAD = 'print("epoch done")\n'
GOOD = 'print("epoch done", flush=True)\n'


def _check(context):
    """Calls of the builtin print without flush=: a toy rule, to prove the plumbing."""
    for record in context.model.calls_of("print"):
        call = record.node
        if (
            isinstance(call.func, ast.Name)
            and record.scope.lookup("print") is None
            and not any(k.arg == "flush" for k in call.keywords)
        ):
            yield context.finding(EXTRA, call, [AddKeyword(context.ref(call), "flush", "True")])


EXTRA = Rule(
    code="LP900",
    title="print without flush",
    message="print() without flush=True",
    fix_title="Flush this print",
    detects="A call of the builtin `print` without `flush=`.",
    why="Output of a long training run shows up late.",
    fix="`lp-fix` adds `flush=True`.",
    silence="Silent when `flush=` is passed.",
    examples=(invalid(BAD, fixed=GOOD), valid(GOOD)),
    prefilter=Prefilter(words=("print",)),
    check=_check,
)


@pytest.fixture
def extra_rule():
    register(EXTRA)
    yield EXTRA
    unregister(EXTRA.code)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    return path


def test_flake8_reports_it(extra_rule, script, capsys):
    from flake8.main.application import Application

    Application().run([str(script), "--select=LP", "-j", "1"])
    assert "LP900 print() without flush=True" in capsys.readouterr().out


def test_lp_fix_fixes_it(extra_rule, script):
    assert main([str(script)]) == 1
    assert script.read_text() == GOOD


def test_lp_fix_selects_it_by_code(extra_rule, script):
    assert main(["--check", "--select", "LP9", str(script)]) == 1
    assert main(["--check", "--ignore", "LP900", str(script)]) == 0


def test_sarif_lists_it_and_its_result(extra_rule, script, capsys):
    main(["--check", "--format", "sarif", str(script)])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert "LP900" in [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert [result["ruleId"] for result in run["results"]] == ["LP900"]


def test_lp_lsp_publishes_it_with_its_quick_fix(extra_rule):
    pytest.importorskip("pygls", reason="lp-lsp needs the [lsp] extra")
    from flake8_learning_phase.frontends import lsp

    (diagnostic,) = lsp.diagnostics(BAD, lsp.Settings())
    assert diagnostic.code == "LP900"
    titles = [action.title for action in lsp.code_actions("file:///train.py", BAD, 0, 0, lsp.Settings())]
    assert "Flush this print" in titles


def test_docs_generator_writes_its_page(extra_rule, tmp_path):
    sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "docs"))
    try:
        import generate_rule_pages
    finally:
        sys.path.pop(0)
    root = pathlib.Path(__file__).parent.parent
    (tmp_path / "docs").mkdir()
    shutil.copy(str(root / "mkdocs.yml"), str(tmp_path / "mkdocs.yml"))
    shutil.copy(str(root / "docs" / "index.md"), str(tmp_path / "docs" / "index.md"))
    generate_rule_pages.main(str(tmp_path))
    page = (tmp_path / "docs" / "rules" / "LP900.md").read_text()
    assert page.startswith("# LP900: print without flush") and GOOD.strip() in page


def test_a_code_cannot_be_registered_twice(extra_rule):
    with pytest.raises(ValueError):
        register(dataclasses.replace(EXTRA, title="another rule with the same code"))
