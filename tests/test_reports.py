"""lp-fix --format json / sarif: one record per finding; SARIF valid against the official schema."""
import json
import pathlib
import shutil

import pytest

from conftest import FIXTURES
from flake8_learning_phase.frontends.cli import main

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads((pathlib.Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(str(tmp_path))
    shutil.copy(str(FIXTURES / "steps" / "updates_through_name.py"), "train.py")
    shutil.copy(str(FIXTURES / "steps" / "gan_applied_inline.py"), "lib.py")
    pathlib.Path("broken.py").write_text("opt.get_updates(\n")
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_json_has_one_record_per_finding(project, capsys):
    code, report = run(capsys, "--format", "json", "train.py", "lib.py")
    assert code == 1
    rows = {(r["path"], r["code"]): r for r in report["findings"]}
    assert sorted(rows) == [("lib.py", "LP100"), ("lib.py", "LP200"), ("train.py", "LP100"), ("train.py", "LP200")]
    lp100 = rows[("train.py", "LP100")]
    assert (lp100["line"], lp100["column"], lp100["fix_applied"], lp100["call_sites_updated"]) == (7, 13, True, 1)
    assert rows[("lib.py", "LP200")]["manual_edit"].startswith("netD is applied to a tensor at line 19")


def test_json_with_check_says_why_nothing_was_applied(project, capsys):
    _, report = run(capsys, "--format", "json", "--check", "train.py")
    assert {r["not_fixed_because"] for r in report["findings"]} == {"nothing is written with --check or --diff"}


def test_json_lists_files_that_could_not_be_parsed(project, capsys):
    code, report = run(capsys, "--format", "json", "broken.py", "train.py")
    assert code == 123
    assert [e["path"] for e in report["errors"]] == ["broken.py"]


def test_sarif_validates_against_the_2_1_0_schema(project, capsys):
    code, report = run(capsys, "--format", "sarif", "--check", "train.py", "lib.py", "broken.py")
    jsonschema.validate(report, SCHEMA)
    (run_,) = report["runs"]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["LP100", "LP101", "LP200", "LP300", "LP301"]
    assert all(r["helpUri"].endswith(r["id"] + ".md") and r["help"]["text"] for r in run_["tool"]["driver"]["rules"])
    assert len(run_["results"]) == 5
    location = run_["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "train.py", "uriBaseId": "%SRCROOT%"}
    assert run_["invocations"][0]["executionSuccessful"] is False


def test_format_cannot_share_stdout_with_diff(project):
    assert main(["--format", "json", "--diff", "train.py"]) == 2
