"""``lp-fix check`` in ruff's shape, the rule contract's fixability and safety, honest counts
and exit codes (issue 22, items 6-8; issue 18, item 7): ``main(argv)`` on temp files and the
real ``lp-fix`` process."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, read
from flake8_learning_phase.core import FIX_NEVER, Prefilter, Rule, invalid, register, rules, unregister
from flake8_learning_phase.frontends.cli import main

STEP = FIXTURES / "steps" / "updates_through_name.py"
STEP_FIXED = FIXTURES / "steps" / "updates_through_name.fixed.py"
# LP100's fix there is the feed_dict fallback (unsafe); LP200's is safe.
FALLBACK = FIXTURES / "steps" / "helper_returns_step.py"
TRAINING = FIXTURES / "lp300" / "functional_model_same_file.py"  # LP300: unsafe
LP_FIX = os.path.join(os.path.dirname(sys.executable), "lp-fix")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(str(STEP), "train.py")
    # The fixture's "# expect" comments pass 79 characters: lp-fix would wrap the fixed call.
    (tmp_path / ".flake8").write_text("[flake8]\nmax-line-length = 120\n")
    return tmp_path


def run(*args, cwd, stdin=None):
    return subprocess.run(
        [LP_FIX] + list(args), cwd=str(cwd), input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_check_reports_with_source_and_writes_nothing(folder, capsys):
    assert main(["check", "train.py"]) == 1
    out = capsys.readouterr().out
    assert "train.py:7:13: LP100 [*] training step inputs lack K.learning_phase()" in out
    assert "7 |     train = K.function([x, y], [loss], updates=updates)" in out
    # The call underlined (Python 3.7's ast has no end: to the end of the line).
    line = read(STEP).splitlines()[6]
    underline = "^" * (43 if sys.version_info >= (3, 8) else len(line) - 12)
    assert "  |             {} LP100\n".format(underline) in out
    assert "  = help: Add the learning phase to this training step" in out
    assert "Found 2 findings.\n[*] 2 fixable with the `--fix` option.\n1 file checked.\n" in out
    assert read(folder / "train.py") == read(STEP)


def test_check_concise_is_one_line_per_finding(folder, capsys):
    assert main(["check", "--no-show-source", "train.py"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("train.py:7:13: LP100 [*] training step inputs lack K.learning_phase();")
    assert lines[1].startswith("train.py:7:13: LP200 [*] training step updates lack model.updates;")
    assert lines[2] == "Found 2 findings."


def test_check_fix_writes_and_exits_0_when_nothing_is_left(folder, capsys):
    assert main(["check", "--fix", "train.py"]) == 0
    assert read(folder / "train.py") == read(STEP_FIXED)
    assert "Found 2 findings (2 fixed, 0 remaining)." in capsys.readouterr().out
    assert main(["check", "train.py"]) == 0
    assert "All checks passed!" in capsys.readouterr().out


def test_unsafe_fixes_are_held_back_without_the_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(str(FALLBACK), "step.py")
    shutil.copy(str(TRAINING), "tape.py")
    assert main(["check", "--fix", "step.py", "tape.py"]) == 1
    out = capsys.readouterr().out
    assert "feed_dict" not in read(tmp_path / "step.py") and "model.updates" in read(tmp_path / "step.py")
    assert "training=True" not in read(tmp_path / "tape.py")
    assert "Found 3 findings (1 fixed, 2 remaining).\nNo fixes available (2 hidden fixes can be enabled" in out
    assert "(unsafe: lp-fix check --fix --unsafe-fixes)" in out
    assert main(["check", "--fix", "--unsafe-fixes", "step.py", "tape.py"]) == 0
    assert "feed_dict={K.learning_phase(): True}" in read(tmp_path / "step.py")
    assert "training=True" in read(tmp_path / "tape.py")


def test_the_pre_commit_form_still_applies_every_fix(tmp_path):
    shutil.copy(str(TRAINING), str(tmp_path / "tape.py"))
    assert main([str(tmp_path / "tape.py")]) == 1
    assert "training=True" in read(tmp_path / "tape.py")


def test_rules_declare_fixability_and_safety():
    declared = {rule.code: (rule.fixability, rule.safety) for rule in rules()}
    assert declared["LP300"] == ("sometimes", "unsafe")
    assert declared["LP100"] == ("sometimes", "safe") and declared["LP200"] == ("sometimes", "safe")
    with pytest.raises(ValueError):
        Rule(**dict(_toy(), fixability="maybe"))


def test_diff_shows_only_allowed_fixes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(str(TRAINING), "tape.py")
    assert main(["check", "--diff", "tape.py"]) == 1
    shown = capsys.readouterr()
    assert shown.out == "" and "No fixes available (1 hidden fix can be enabled" in shown.err
    assert main(["check", "--diff", "--unsafe-fixes", "tape.py"]) == 1
    diff = capsys.readouterr().out
    assert diff.startswith("--- tape.py\n+++ tape.py\n") and "training=True" in diff
    assert "training=True" not in read(tmp_path / "tape.py")


def test_exit_zero_and_statistics(folder, capsys):
    assert main(["check", "--exit-zero", "--statistics", "--no-show-source", "train.py"]) == 0
    out = capsys.readouterr().out
    assert "    1\tLP100\t[*] training step without the learning phase\n" in out
    assert "    1\tLP200\t[*] training step without the model's updates\n" in out


def test_stdin_filename_names_standard_input_in_json_and_sarif(folder):
    source = STEP.read_bytes()
    done = run("check", "--output-format", "json", "--stdin-filename", "pkg/train.py", "-", cwd=folder, stdin=source)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout.decode())
    found = {(f["path"], f["code"]) for f in report["findings"]}
    assert found == {("pkg/train.py", "LP100"), ("pkg/train.py", "LP200")}
    done = run("--check", "--format", "sarif", "--stdin-filename", "pkg/train.py", "-", cwd=folder, stdin=source)
    assert done.returncode == 1, done.stderr
    location = json.loads(done.stdout.decode())["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/train.py"


def test_stdin_filename_picks_the_per_file_ignores(folder):
    (folder / "setup.cfg").write_text("[flake8]\nper-file-ignores = pkg/*.py:LP100\n")
    done = run(
        "check", "--no-show-source", "--stdin-filename", "pkg/train.py", "-", cwd=folder, stdin=STEP.read_bytes()
    )
    assert done.returncode == 1
    assert "LP100" not in done.stdout.decode() and "LP200" in done.stdout.decode()


def test_check_fix_on_stdin_prints_the_fixed_source(folder):
    done = run("check", "--fix", "-", cwd=folder, stdin=STEP.read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout == STEP_FIXED.read_bytes()


def test_syntax_error_exits_123_and_missing_file_is_not_checked(folder):
    (folder / "broken.py").write_text("updates = opt.get_updates(loss, params)\nK.function(\n")
    # Without any rule's words a file is not parsed (it cannot have a finding): counted as such.
    (folder / "plain.py").write_text("x = (\n")
    done = run("check", "broken.py", "plain.py", "missing.py", cwd=folder)
    assert done.returncode == 123
    err = done.stderr.decode()
    assert "broken.py: cannot parse: " in err and "missing.py: cannot read: No such file or directory" in err
    # Its syntax error is flake8's E999 to report, not lp-fix's (docs/lp-fix.md says why)
    assert "plain.py" not in err
    out = done.stdout.decode()
    assert "2 files checked (1 without any rule's words, not parsed).\n2 files could not be processed." in out
    legacy = run("--check", "missing.py", cwd=folder)
    assert legacy.returncode == 123
    assert "0 files checked" in legacy.stderr.decode()


def test_summary_says_how_many_files_the_prefilter_skipped(folder):
    (folder / "plain.py").write_text("x = 1\n")
    (folder / "other.py").write_text("y = 2\n")
    done = run("check", "--no-show-source", ".", cwd=folder)
    assert "3 files checked (2 without any rule's words, not parsed)." in done.stdout.decode()


def test_rules_listing_and_rule_page(capsys):
    assert main(["rule", "--all"]) == 0
    listing = capsys.readouterr().out
    for rule in rules():
        assert rule.code in listing and rule.title in listing
    assert "LP300  sometimes  unsafe  model called in a training step without training=True" in listing
    assert main(["--list-rules"]) == 0 and capsys.readouterr().out == listing
    assert main(["rule", "lp200"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# LP200: training step without the model's updates\n") and "<!--" not in page
    assert main(["rule"]) == 2 and main(["rule", "LP999"]) == 2


def test_jobs_auto_runs_workers_without_forking_a_threaded_process(tmp_path):
    """Workers come from a fork server: lp-fix called from a process with threads (an editor, a
    test runner) never fork()s it (Python 3.12+ warns that the child may deadlock)."""
    for name in ("a.py", "b.py", "c.py"):
        shutil.copy(str(STEP), str(tmp_path / name))
    program = (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(10,), daemon=True).start()\n"
        "from flake8_learning_phase.frontends.cli import main\n"
        "print('status', main(['check', '-j', 'auto', '--no-show-source', '.']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c", program],
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert out.count("LP100") == 3 and "status 1" in out, err
    assert "multi-threaded" not in err and "Warning" not in err, err


def _toy():
    def check(context):
        for record in context.model.calls_of("print"):
            yield context.finding(TOY, record.node)

    return dict(
        code="LP901",
        title="print in a training loop",
        message="print() found",
        fix_title="",
        detects="A call of `print`.",
        why="A toy.",
        fix="None.",
        silence="Never.",
        examples=(invalid('print("x")\n'),),
        prefilter=Prefilter(words=("print",)),
        check=check,
        fixability=FIX_NEVER,
    )


TOY = Rule(**_toy())


def test_a_finding_without_an_edit_needs_a_manual_edit(tmp_path, capsys):
    register(TOY)
    try:
        path = tmp_path / "loop.py"
        path.write_text('print("x")\n')
        assert main(["--check", str(path)]) == 1
        err = capsys.readouterr().err
        assert "loop.py:1: no automatic fix for this one; edit by hand" in err
        assert main(["--check", "-v", str(path)]) == 1
        assert "LP901 print() found\n" in capsys.readouterr().err  # no " (lp-fix)": nothing to fix
        assert main(["check", "--no-show-source", str(path)]) == 1
        assert "LP901 print() found" in capsys.readouterr().out
    finally:
        unregister(TOY.code)


@pytest.mark.parametrize(
    "args, status",
    [
        (["check", "ok.py"], 0),
        (["check", "train.py"], 1),
        (["check", "--exit-zero", "train.py"], 0),
        (["check", "--fix", "train.py"], 0),
        (["check", "--select", "LP999", "train.py"], 2),
        (["check", "missing.py"], 123),
        (["check", "--exit-zero", "missing.py"], 123),
        (["ok.py"], 0),
        (["--check", "train.py"], 1),
        (["train.py"], 1),
        (["--exit-zero", "train.py"], 0),
        (["--bogus", "train.py"], 2),
        (["missing.py"], 123),
        (["rule", "--all"], 0),
    ],
)
def test_exit_codes_of_the_real_process(folder, args, status):
    (folder / "ok.py").write_text("x = 1\n")
    done = run(*args, cwd=folder)
    assert done.returncode == status, done.stdout.decode() + done.stderr.decode()
