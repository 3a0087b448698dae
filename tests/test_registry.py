"""Rules registered through the public registry reach every front end, the docs and the rule
lists with no edit anywhere else: a toy family (tests/toy_family: a step finder and two rules)."""
import json
import pathlib
import shutil
import sys

import pytest

import toy_family
from flake8_learning_phase import register
from flake8_learning_phase.core import codes, get, unregister
from flake8_learning_phase.core.records import replace
from flake8_learning_phase.frontends.cli import main
from toy_family import lp910, lp911

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = lp910.BAD + lp911.BAD  # LP910 at 2:5, LP911 at 4:5


@pytest.fixture
def family():
    for rule in toy_family.RULES:
        register(rule)
    yield toy_family
    for rule in toy_family.RULES:
        unregister(rule.code)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SOURCE)
    return path


def _generator():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import generate_rule_pages
    finally:
        sys.path.pop(0)
    return generate_rule_pages


def test_flake8_reports_both_rules(family, script, capsys):
    from flake8.main.application import Application

    Application().run([str(script), "--select=LP9", "-j", "1"])
    out = capsys.readouterr().out
    assert ":2:5: LP910 print() in a loop without flush=True" in out
    assert ':4:5: LP911 print(end="\\r") in a loop garbles a log file' in out


def test_lp_fix_fixes_one_and_leaves_the_other_to_a_person(family, script):
    assert main([str(script)]) == 1
    assert script.read_text() == lp910.GOOD + lp911.BAD
    assert main(["--check", "--select", "LP910", str(script)]) == 0
    assert main(["--check", "--select", "LP911", str(script)]) == 1


def test_lp_fix_selects_by_code(family, script):
    assert main(["--check", "--select", "LP9", str(script)]) == 1
    assert main(["--check", "--ignore", "LP910,LP911", str(script)]) == 0


def test_a_code_cannot_be_registered_twice(family):
    with pytest.raises(ValueError):
        register(replace(get("LP910"), title="another rule with the same code"))


def test_sarif_lists_the_family_and_its_results(family, script, capsys):
    main(["--check", "--format", "sarif", str(script)])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert {"LP910", "LP911"} <= {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert [result["ruleId"] for result in run["results"]] == ["LP910", "LP911"]


def test_lp_lsp_publishes_both_and_offers_the_fix(family):
    pytest.importorskip("pygls", reason="lp-lsp needs the [lsp] extra")
    from flake8_learning_phase.frontends import lsp

    assert [d.code for d in lsp.diagnostics(SOURCE, lsp.Settings())] == ["LP910", "LP911"]
    titles = [action.title for action in lsp.code_actions("file:///train.py", SOURCE, 1, 1, lsp.Settings())]
    assert "Flush this print" in titles


def test_docs_pages_nav_and_index_list_the_family(family, tmp_path):
    (tmp_path / "docs").mkdir()
    shutil.copy(str(ROOT / "mkdocs.yml"), str(tmp_path / "mkdocs.yml"))
    shutil.copy(str(ROOT / "docs" / "index.md"), str(tmp_path / "docs" / "index.md"))
    _generator().main(str(tmp_path))
    assert (tmp_path / "docs" / "rules" / "LP910.md").read_text().startswith("# LP910: progress printed without")
    assert lp911.BAD.strip() in (tmp_path / "docs" / "rules" / "LP911.md").read_text()
    nav = (tmp_path / "mkdocs.yml").read_text()
    assert "      - LP910: rules/LP910.md\n      - LP911: rules/LP911.md\n" in nav
    index = (tmp_path / "docs" / "index.md").read_text()
    assert "[LP911](rules/LP911.md)" in index


def test_the_readme_check_asks_for_the_familys_rows(family):
    listed = _generator().readme_table_codes((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [code for code in codes() if code not in listed] == ["LP910", "LP911"]
