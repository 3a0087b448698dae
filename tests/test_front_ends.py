"""Issue 13: the front ends as a user meets them, through the real processes.

lp-fix as a subprocess (stdin, permissions, reports), flake8, and lp-lsp over
stdio; each test names the numbered point of the issue it covers.
"""
import re
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile

import pytest

from conftest import FIXTURES, read
from flake8_learning_phase.core import check_source, rules
from flake8_learning_phase.frontends.common import message
from flake8_learning_phase.frontends.rule_pages import terminal_page

ROOT = pathlib.Path(__file__).parent.parent
BEFORE = FIXTURES / "steps" / "updates_through_name.py"
AFTER = FIXTURES / "steps" / "updates_through_name.fixed.py"
SILENT = FIXTURES / "silent" / "fixed_step.py"
NOBODY = 65534


def lp_fix(*args, stdin=None, cwd=None, prefix=()):
    command = list(prefix) + [sys.executable, "-m", "flake8_learning_phase"] + [str(a) for a in args]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        command,
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=None if cwd is None else str(cwd),
        env=env,
    )


def copy(source, target):
    shutil.copy(str(source), str(target))
    return target


# -- 2. standard input ---------------------------------------------------------------


def test_2_stdin_is_read_in_the_main_process_with_workers(tmp_path):
    # With two files to parse and -j 2, the stdin one used to go to a worker (stdin /dev/null).
    other = copy(BEFORE, tmp_path / "other.py")
    done = lp_fix("-j", "2", "-", other, stdin=BEFORE.read_bytes())
    assert done.stdout == AFTER.read_bytes(), done.stderr.decode()
    assert done.returncode == 1
    assert read(other) == read(AFTER)


def test_2_stdin_twice_is_a_usage_error():
    done = lp_fix("-", "-", stdin=BEFORE.read_bytes())
    assert done.returncode == 2
    assert b"only once" in done.stderr


@pytest.mark.parametrize(
    "data",
    [b"def broken(:\n    opt.get_updates(\n", b"# opt.get_updates(\nname = '\xff'\n"],
    ids=["syntax-error", "undecodable"],
)
def test_2_stdin_that_cannot_be_fixed_is_echoed_unchanged(data):
    done = lp_fix("-", stdin=data)
    assert (done.returncode, done.stdout) == (123, data)
    assert b"<stdin>" in done.stderr or b"-: cannot parse" in done.stderr


# -- 3. permissions, owner, hard links ---------------------------------------------------


def test_3_hard_links_are_kept(tmp_path):
    path = copy(BEFORE, tmp_path / "train.py")
    link = tmp_path / "link.py"
    os.link(str(path), str(link))
    inode = os.stat(str(path)).st_ino
    done = lp_fix(path)
    assert done.returncode == 1, done.stderr.decode()
    assert os.stat(str(path)).st_ino == inode and os.stat(str(path)).st_nlink == 2
    assert read(link) == read(AFTER)
    assert sorted(os.listdir(str(tmp_path))) == ["link.py", "train.py"]


@pytest.fixture
def shared_folder():
    """A world-writable folder another user can reach (pytest's tmp_path is private)."""
    folder = tempfile.mkdtemp(prefix="lp-fix-")
    os.chmod(folder, 0o777)
    yield pathlib.Path(folder)
    shutil.rmtree(folder)


needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changes users: needs root")


@needs_root
def test_3_owner_and_mode_are_kept_when_root_fixes_another_users_file(shared_folder):
    path = copy(BEFORE, shared_folder / "train.py")
    os.chown(str(path), NOBODY, NOBODY)
    os.chmod(str(path), 0o640)
    assert lp_fix(path).returncode == 1
    status = os.stat(str(path))
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (NOBODY, NOBODY, 0o640)
    assert read(path) == read(AFTER)


def _unwritable(folder):
    """A read-only file, and how to run lp-fix as someone who may not write it.

    Root may write anything: as root, lp-fix runs without the capabilities
    that override file permissions (setpriv), like an ordinary user.
    """
    path = copy(BEFORE, folder / "train.py")
    os.chmod(str(path), 0o444)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("as root, needs setpriv to run without CAP_DAC_OVERRIDE")
        drop = "-dac_override,-dac_read_search"
        return path, [setpriv, "--inh-caps=" + drop, "--bounding-set=" + drop]
    return path, []


def test_3_a_file_you_may_not_write_is_refused(tmp_path):
    path, prefix = _unwritable(tmp_path)
    done = lp_fix(path, prefix=prefix)
    assert done.returncode == 123, done.stderr.decode()
    assert "{}: cannot write: Permission denied".format(path) in done.stderr.decode()
    assert read(path) == read(BEFORE)
    assert sorted(os.listdir(str(tmp_path))) == ["train.py"]


# -- 4. the same file twice ----------------------------------------------------------


def test_4_the_same_file_twice_is_processed_once(tmp_path):
    path = copy(BEFORE, tmp_path / "train.py")
    done = lp_fix("-j", "2", path, path, tmp_path, tmp_path / "." / "train.py")
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert err.count("fixed ") == 1 and "left as it is now" not in err
    assert "1 file checked: 1 file fixed, 1 call site updated" in err
    assert read(path) == read(AFTER)


@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["symlink", "hard-link"])
def test_4_a_second_name_of_the_file_is_processed_once(tmp_path, link):
    path = copy(BEFORE, tmp_path / "train.py")
    link(str(path), str(tmp_path / "other.py"))
    done = lp_fix("-j", "2", tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "1 file checked: 1 file fixed, 1 call site updated" in err
    assert read(path) == read(AFTER)


# -- 5. reports ----------------------------------------------------------------------


def test_5_summary_says_how_many_files_were_checked(tmp_path):
    copy(BEFORE, tmp_path / "train.py")
    copy(SILENT, tmp_path / "ok.py")
    (tmp_path / "plain.py").write_text("x = 1\n")
    done = lp_fix("--check", tmp_path)
    assert done.stderr.decode().splitlines()[-1] == (
        "3 files checked (1 without any rule's words, not parsed): 1 file would be fixed, 1 call site would be "
        "updated, 0 need a manual edit"
    )


@pytest.mark.parametrize("content", [None, "notes.txt"], ids=["empty-folder", "no-python-files"])
def test_5_no_python_files_is_a_warning(tmp_path, content):
    if content:
        (tmp_path / content).write_text("get_updates\n")
    done = lp_fix(tmp_path)
    assert done.returncode == 0
    assert "warning: No Python files found" in done.stderr.decode()
    assert lp_fix("-q", tmp_path).stderr == b""


def test_5_check_json_agrees_with_the_summary(tmp_path):
    copy(BEFORE, tmp_path / "train.py")
    done = lp_fix("--check", "--format", "json", "train.py", cwd=tmp_path)
    report = json.loads(done.stdout.decode())
    assert "1 call site would be updated" in done.stderr.decode()
    lp100 = next(r for r in report["findings"] if r["code"] == "LP100")
    assert lp100["call_sites_updated"] == 1 and lp100["fix_applied"] is False
    assert report["summary"]["call_sites_would_be_updated"] == 1
    assert report["summary"]["files_checked"] == 1


def test_5_failed_write_is_not_counted_and_json_says_why(tmp_path):
    path, prefix = _unwritable(tmp_path)
    done = lp_fix("--format", "json", path.name, cwd=tmp_path, prefix=prefix)
    assert done.returncode == 123
    assert "0 files fixed, 0 call sites updated" in done.stderr.decode()
    report = json.loads(done.stdout.decode())
    assert {r["not_fixed_because"] for r in report["findings"]} == {"cannot write: Permission denied"}
    assert {r["call_sites_updated"] for r in report["findings"]} == {0}
    assert report["summary"]["call_sites_updated"] == 0


# -- 6. SARIF -------------------------------------------------------------------------

SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
AWKWARD_NAMES = ["my train.py", "entraîné.py", "a#1.py", "100%.py"]


@pytest.fixture
def sarif(tmp_path):
    for name in AWKWARD_NAMES:
        copy(BEFORE, tmp_path / name)
    (tmp_path / "broken.py").write_text("opt.get_updates(\n")
    done = lp_fix("--check", "--format", "sarif", ".", cwd=tmp_path)
    assert done.returncode == 123, done.stderr.decode()
    return tmp_path, done.stdout


def test_6_sarif_validates_with_format_checking(sarif):
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("rfc3987", reason="uri-reference format checking needs rfc3987")
    _, out = sarif
    report = json.loads(out.decode())
    checker = jsonschema.FormatChecker()
    assert "uri-reference" in checker.checkers
    jsonschema.validate(report, json.loads(SCHEMA.read_text()), format_checker=checker)


def test_6_sarif_uris_columns_ends_messages_and_links(sarif):
    from urllib.parse import unquote

    _, out = sarif
    (run,) = json.loads(out.decode())["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"my%20train.py", "entra%C3%AEn%C3%A9.py", "a%231.py", "100%25.py"}
    assert {unquote(u) for u in uris} == set(AWKWARD_NAMES)
    for result in run["results"]:
        assert not result["message"]["text"].startswith(result["ruleId"])
        region = result["locations"][0]["physicalLocation"]["region"]
        if sys.version_info >= (3, 8):
            assert region["endLine"] >= region["startLine"] and "endColumn" in region
    lp100 = next(r for r in run["results"] if r["ruleId"] == "LP100")
    region = lp100["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (7, 13)
    if sys.version_info >= (3, 8):
        line = BEFORE.read_text().splitlines()[6]
        assert line[region["startColumn"] - 1: region["endColumn"] - 1] == "K.function([x, y], [loss], updates=updates)"
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"].startswith("https://")
        for target in __import__("re").findall(r"\]\(([^)]+)\)", rule["help"]["markdown"]):
            assert target.startswith("https://"), target


def test_6_sarif_tools_shows_whole_messages(sarif):
    pytest.importorskip("sarif", reason="sarif-tools is a test dependency")
    folder, out = sarif
    (folder / "lp.sarif").write_bytes(out)
    done = subprocess.run(
        [sys.executable, "-m", "sarif", "summary", "lp.sarif"],
        cwd=str(folder),
        stdout=subprocess.PIPE,
        universal_newlines=True,
    )
    assert done.returncode == 0
    messages = {result["message"]["text"] for result in json.loads(out.decode())["runs"][0]["results"]}
    assert messages
    for message in messages:
        codes = {result["ruleId"] for result in json.loads(out.decode())["runs"][0]["results"]}
        shown = [" - {} {}: {}".format(code, message, len(AWKWARD_NAMES)) for code in codes]
        shown += [" - {}: {}".format(message, len(AWKWARD_NAMES))]
        assert any(line in done.stdout for line in shown), (message, done.stdout)


# -- 7. encoding ------------------------------------------------------------------------


def test_7_latin1_without_coding_line_lp_fix_and_flake8_agree(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(("# Entraînement\n" + read(BEFORE)).encode("latin-1"))
    python_says = "Non-UTF-8 code starting with '\\xee' on line 1, but no encoding declared"
    python = subprocess.run([sys.executable, str(path)], stderr=subprocess.PIPE)  # a SyntaxError: nothing runs
    assert python.returncode != 0 and b"Non-UTF-8 code starting with '\\xee'" in python.stderr
    done = lp_fix(path)
    assert done.returncode == 123
    assert "{}: cannot parse: {}".format(path, python_says) in done.stderr.decode()
    linted = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LP", str(path)], stdout=subprocess.PIPE, universal_newlines=True
    )
    assert linted.stdout.splitlines() == [
        "{}:1:1: LP001 Python cannot decode this file: {}; see https://peps.python.org/pep-0263/ for details".format(
            path, python_says
        )
    ]


# -- 10. messages and --explain -------------------------------------------------------------


def test_10_messages_are_short_and_the_hint_marks_exactly_the_findings_with_edits():
    for rule in rules():
        for example in rule.examples:
            for finding in check_source(example.source):
                text = message(finding).split(" ", 1)[1]
                # sarif-tools shows 114 characters after the code whole.
                assert len(text) <= 114, finding.message
                assert text.endswith(" (lp-fix)") == bool(finding.edits), finding.message
                assert "(lp-fix)" not in finding.message  # the front ends add it, from the edits


@pytest.mark.parametrize("code", [rule.code for rule in rules()])
def test_10_explain_prints_the_rule_page(code):
    done = lp_fix("--explain", code.lower())
    assert done.returncode == 0
    page = done.stdout.decode()
    assert page == terminal_page(next(r for r in rules() if r.code == code))
    assert "<!--" not in page and not re.search(r"\]\((?!https://)", page)


def test_10_explain_an_unknown_code_is_a_usage_error():
    done = lp_fix("--explain", "E501")
    assert done.returncode == 2 and b"LP100" in done.stderr


# -- 8. long lines ------------------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "train_loop.py"


def flake8(folder, *args):
    command = [sys.executable, "-m", "flake8"] + list(args) + ["."]
    return subprocess.run(command, cwd=str(folder), stdout=subprocess.PIPE, universal_newlines=True)


def test_8_fixed_example_passes_flake8_at_its_default_line_length(tmp_path):
    path = copy(EXAMPLE, tmp_path / "train_loop.py")
    assert "LP100" in flake8(tmp_path).stdout
    done = lp_fix(path, cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode()
    linted = flake8(tmp_path)
    assert linted.returncode == 0, linted.stdout
    wrapped = (
        "    train_step = K.function(\n"
        "        [x, y, K.learning_phase()], [loss], updates=updates + model.updates\n"
        "    )\n"
    )
    assert wrapped in read(path)


@pytest.mark.parametrize("limit", [40, 60, 79, 120])
def test_8_wrapped_to_the_configured_limit_in_the_files_indentation(tmp_path, limit):
    source = read(EXAMPLE).replace("    ", "\t")  # a file indented with tabs keeps its tabs
    path = tmp_path / "train_loop.py"
    path.write_text(source)
    (tmp_path / "tox.ini").write_text("[flake8]\nmax-line-length = {}\n".format(limit))
    assert lp_fix(path, cwd=tmp_path).returncode == 1
    fixed = read(path)
    changed = [line for line in fixed.splitlines() if line not in source.splitlines()]
    assert changed and all(len(line.expandtabs(1)) <= max(limit, 28) for line in changed), changed
    assert all(not line.startswith(" ") for line in fixed.splitlines())
    linted = flake8(tmp_path, "--select=LP,E1,E9")
    assert linted.returncode == 0, linted.stdout
    if limit == 40:
        assert "\t\t[x, y, K.learning_phase()],\n\t\t[loss],\n\t\tupdates=updates + model.updates,\n\t)\n" in fixed
    if limit == 120:
        assert "K.function([x, y, K.learning_phase()], [loss], updates=updates + model.updates)\n" in fixed


def test_8_lines_the_fix_does_not_touch_are_left_long(tmp_path):
    long_line = "CONSTANT = " + "1 + " * 30 + "1\n"
    path = tmp_path / "train_loop.py"
    path.write_text(long_line + read(EXAMPLE))
    lp_fix(path, cwd=tmp_path)
    assert read(path).startswith(long_line)


# -- 9. editors: source.fixAll -----------------------------------------------------------------


@pytest.fixture
def lsp_client():
    pytest.importorskip("pygls", reason="lp-lsp needs the [lsp] extra")
    from lsp_client import LspClient

    client = LspClient([os.path.join(os.path.dirname(sys.executable), "lp-lsp")])
    client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    yield client
    client.close()


def _actions(client, only):
    uri = EXAMPLE.resolve().as_uri()
    text = EXAMPLE.read_text()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    diagnostics = client.diagnostics(uri)
    context = {"diagnostics": diagnostics}
    if only is not None:
        context["only"] = only
    line = diagnostics[0]["range"]["start"]["line"]
    reply = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": context,
        },
    )
    return [(action["kind"], action["title"]) for action in reply["result"]]


def test_9_source_fix_all_request_gets_exactly_the_fix_all_action(lsp_client):
    assert _actions(lsp_client, ["source.fixAll"]) == [("source.fixAll", "Fix all LP findings in this file")]


def test_9_kinds_filter_like_lsp_says(lsp_client):
    assert {kind for kind, _ in _actions(lsp_client, ["quickfix"])} == {"quickfix"}
    assert _actions(lsp_client, ["source"]) == [("source.fixAll", "Fix all LP findings in this file")]
    assert _actions(lsp_client, ["refactor"]) == []
    assert {kind for kind, _ in _actions(lsp_client, None)} == {"quickfix", "source.fixAll"}


def test_8_wrapped_lines_keep_the_files_line_endings(tmp_path):
    path = tmp_path / "train_loop.py"
    path.write_bytes(EXAMPLE.read_bytes().replace(b"\n", b"\r\n"))
    assert lp_fix(path, cwd=tmp_path).returncode == 1
    data = path.read_bytes()
    assert b"K.function(\r\n        [x, y, K.learning_phase()]" in data
    assert data.count(b"\n") == data.count(b"\r\n")
