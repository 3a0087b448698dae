"""Issue 14: notebooks through the real front ends (the lp-fix process, its reports, pre-commit).

The Done-when, on the fixture notebooks (tests/fixtures/notebooks): the findings
equal those on the same notebooks flattened to .py, at the right cell and line;
after lp-fix each rewritten notebook validates as nbformat 4, differs from the
original only in the edited cells' sources, and a second run changes nothing.
The flattening here is independent of flake8_learning_phase.notebook: each code
cell under a ``# %% [cell N]`` line (N counts code cells, as nbQA does), IPython lines
commented out (``#~ ``, as jupytext does).
"""
import collections
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES

nbformat = pytest.importorskip("nbformat")

ROOT = pathlib.Path(__file__).parent.parent
NOTEBOOKS = FIXTURES / "notebooks"
# The notebooks whose IPython lines are all at the top level of a cell, so that commenting
# them out (the flattening) keeps the cell valid Python; magics.ipynb has the rest.
FLATTENABLE = [
    "gan_k_function.ipynb",
    "old_jupyter_strings.ipynb",
    "tf2_tape.ipynb",
    "tf2_train_step.ipynb",
    "windows_line_endings.ipynb",
]
FIXABLE = FLATTENABLE
SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
# Cell magics whose body is Python (flake8_learning_phase.notebook keeps it); others are foreign.
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%prun", "%%capture", "%%debug")


def lp_fix(*args, cwd=None):
    command = [os.path.join(os.path.dirname(sys.executable), "lp-fix")] + [str(a) for a in args]
    return subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=None if cwd is None else str(cwd)
    )


def ordered(data):
    return json.loads(data.decode("utf-8"), object_pairs_hook=collections.OrderedDict)


def text_of(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def cell_lines(text):
    return re.split(r"\r\n|\r|\n", re.sub(r"(\r\n|\r|\n)\Z", "", text)) if text else []


def flatten(data):
    """(.py text, {py line: (code cell number, line in the cell)}), jupytext style."""
    out, where = [], {}
    code_cells = [cell for cell in ordered(data)["cells"] if cell["cell_type"] == "code"]
    for cell_number, cell in enumerate(code_cells, start=1):
        out.append("# %% [cell {}]".format(cell_number))
        lines = cell_lines(text_of(cell))
        foreign = bool(lines) and lines[0].startswith("%%") and not lines[0].startswith(PYTHON_CELL_MAGICS)
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if foreign or stripped.startswith(("%", "!")) or (stripped.endswith("?") and "#" not in stripped):
                line = "#~ " + line
            out.append(line)
            where[len(out)] = (cell_number, number)
    return "\n".join(out) + "\n", where


@pytest.fixture
def folder(tmp_path):
    for path in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(str(path), str(tmp_path / path.name))
    return tmp_path


def findings(folder, name, *more):
    done = lp_fix("--check", "--format", "json", *(more + (name,)), cwd=folder)
    assert done.returncode in (0, 1, 123), done.stderr.decode()
    return json.loads(done.stdout.decode())


# --------------------------------------------------------------------------- the Done-when


@pytest.mark.parametrize("name", FLATTENABLE)
def test_findings_equal_those_of_the_notebook_flattened_to_py(folder, name):
    text, where = flatten((folder / name).read_bytes())
    (folder / "flat.py").write_text(text, encoding="utf-8")
    in_py = sorted((r["code"],) + where[r["line"]] + (r["column"],) for r in findings(folder, "flat.py")["findings"])
    rows = findings(folder, name)["findings"]
    in_notebook = sorted((r["code"], r["cell_number"], r["line"], r["column"]) for r in rows)
    assert in_notebook == in_py and in_py
    cells = ordered((folder / name).read_bytes())["cells"]
    for row in rows:
        kinds = [cell["cell_type"] for cell in cells[: row["cell_index"] + 1]]
        assert kinds[-1] == "code" and row["cell_number"] == kinds.count("code")
        assert row["cell_id"] == cells[row["cell_index"]].get("id")


@pytest.mark.parametrize("name", FIXABLE)
def test_fixed_notebook_validates_as_nbformat_4(folder, name):
    done = lp_fix(name, cwd=folder)
    assert done.returncode == 1 and "fixed " + name in done.stderr.decode(), done.stderr.decode()
    fixed = (folder / name).read_text(encoding="utf-8")
    nbformat.validate(nbformat.reads(fixed, as_version=4))


@pytest.mark.parametrize("name", FIXABLE)
def test_fix_changes_only_the_edited_cells_sources(folder, name):
    before = (folder / name).read_bytes()
    assert lp_fix(name, cwd=folder).returncode == 1
    after = (folder / name).read_bytes()
    old, new = ordered(before), ordered(after)
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if text_of(a) != text_of(b)]
    assert changed and all(old["cells"][i]["cell_type"] == "code" for i in changed)
    for a, b in zip(old["cells"], new["cells"]):
        assert type(a["source"]) is type(b["source"])  # a list stays a list, a string a string
        a.pop("source"), b.pop("source")
    assert old == new and list(old) == list(new)  # everything else, key order included
    # Byte for byte up to the first edited source, and the same end (indentation, final newline).
    first = before.index(b'"source"', _nth_cell_start(before, changed[0]))
    assert after[:first] == before[:first]
    assert after.endswith(b"\n") == before.endswith(b"\n") and after[-40:] == before[-40:]


def _nth_cell_start(data, n):
    at = data.index(b'"cells"')
    for _ in range(n + 1):
        at = data.index(b'"cell_type"', at + 1)
    return at


@pytest.mark.parametrize("name", FIXABLE)
def test_fix_equals_the_fix_of_the_flattened_py(folder, name):
    text, where = flatten((folder / name).read_bytes())
    (folder / "flat.py").write_text(text, encoding="utf-8")
    assert lp_fix("flat.py", name, cwd=folder).returncode == 1
    fixed_py = (folder / "flat.py").read_text(encoding="utf-8")
    parts = re.split(r"(?m)^# %% \[cell (\d+)\]\n", fixed_py)
    expected = {int(n): re.sub(r"(?m)^#~ ", "", body).rstrip("\n") for n, body in zip(parts[1::2], parts[2::2])}
    code_cells = [c for c in ordered((folder / name).read_bytes())["cells"] if c["cell_type"] == "code"]
    got = {n: "\n".join(cell_lines(text_of(code_cells[n - 1]))) for n in expected}
    assert got == expected


@pytest.mark.parametrize("name", FIXABLE)
def test_second_run_changes_nothing(folder, name):
    assert lp_fix(name, cwd=folder).returncode == 1
    once = (folder / name).read_bytes()
    again = lp_fix(name, cwd=folder)
    assert again.returncode == 0, again.stderr.decode()
    assert (folder / name).read_bytes() == once
    assert lp_fix("--check", name, cwd=folder).returncode == 0


# --------------------------------------------------------------------------- lp-fix on notebooks


def test_folder_walk_finds_notebooks_and_skips_checkpoints(folder):
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(str(NOTEBOOKS / "gan_k_function.ipynb"), str(folder / ".ipynb_checkpoints" / "gan-checkpoint.ipynb"))
    done = lp_fix("--check", ".", cwd=folder)
    err = done.stderr.decode()
    assert "checkpoint" not in err
    assert "7 files checked" in err and ": 5 files would be fixed" in err, err


def test_check_and_exit_codes_as_for_py(folder):
    before = {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}
    assert lp_fix("--check", "gan_k_function.ipynb", cwd=folder).returncode == 1
    assert lp_fix("--check", "magics.ipynb", cwd=folder).returncode == 0
    assert lp_fix("--check", "unparsable_cell.ipynb", cwd=folder).returncode == 123
    assert {p.name: p.read_bytes() for p in folder.glob("*.ipynb")} == before  # --check writes nothing


def test_unparsable_cell_is_named_and_the_notebook_left_alone(folder):
    before = (folder / "unparsable_cell.ipynb").read_bytes()
    done = lp_fix("-v", "unparsable_cell.ipynb", cwd=folder)
    err = done.stderr.decode()
    assert done.returncode == 123
    # (The column is Python's: 1 on 3.8 and later, the end of the statement on 3.7.)
    assert re.match(r"unparsable_cell\.ipynb:cell_2:1:\d+: cannot parse: Missing parentheses", err), err
    # The other cells' findings are still given.
    assert "unparsable_cell.ipynb:cell_3:4:8: LP100 " in err and "\nfixed " not in err
    assert (folder / "unparsable_cell.ipynb").read_bytes() == before


def test_unreadable_notebook_is_an_error(folder):
    # (Like a .py file, a notebook none of whose bytes holds a rule's word is not even read as JSON.)
    (folder / "bad.ipynb").write_text('{"cells": [} opt.get_updates(')
    done = lp_fix("bad.ipynb", cwd=folder)
    assert done.returncode == 123
    assert done.stderr.decode().startswith("bad.ipynb: cannot read: not valid JSON at line 1, column 12")


def test_diff_is_labelled_by_cell_and_writes_nothing(folder):
    before = (folder / "gan_k_function.ipynb").read_bytes()
    done = lp_fix("--diff", "gan_k_function.ipynb", cwd=folder)
    out = done.stdout.decode()
    assert done.returncode == 1
    headers = re.findall(r"(?m)^--- (.*)$", out)
    # Cells 4, 5 and 8 (0-based) change: code cells 3, 4 and 6 (cells 0, 2 and 6 are markdown).
    assert headers == ["gan_k_function.ipynb:cell_3", "gan_k_function.ipynb:cell_4", "gan_k_function.ipynb:cell_6"]
    assert "+        errD_real, errD_fake = netD_train([real_data, noise, True])" in out
    assert (folder / "gan_k_function.ipynb").read_bytes() == before


def test_verbose_and_manual_lines_give_the_cell(folder):
    err = lp_fix("--check", "-v", "tf2_tape.ipynb", cwd=folder).stderr.decode()
    # The loop is in cell 3 (0-based), after one markdown cell: the third code cell.
    assert re.search(r"(?m)^tf2_tape\.ipynb:cell_3:4:\d+: LP300 ", err), err


def test_notebook_without_any_rule_word_is_not_parsed(folder):
    # Not JSON at all, but no rule's word in it: the prefilter says "nothing to do", as for a .py file.
    (folder / "plain.ipynb").write_text("not a notebook")
    assert lp_fix("--check", "plain.ipynb", cwd=folder).returncode == 0


def test_prefilter_sees_through_json_line_splits():
    from flake8_learning_phase.core import codes, might_matter
    from flake8_learning_phase.frontends.notebooks import might_matter_notebook

    # `opt.` and `get_updates(` on two lines of a cell (inside brackets): two JSON strings.
    cell = ["updates = (opt.\n", "    get_updates(params, [], loss))\n"]
    raw = json.dumps({"cells": [{"cell_type": "code", "source": cell}]}, indent=1).encode()
    assert might_matter("".join(cell), codes())
    assert not might_matter(raw, codes())  # the plain prefilter on the bytes would miss it
    assert might_matter_notebook(raw, codes())
    one_string = json.dumps({"cells": [{"cell_type": "code", "source": "".join(cell)}]}).encode()
    assert might_matter_notebook(one_string, codes())
    assert not might_matter_notebook(b'{"cells": []}', codes())


# --------------------------------------------------------------------------- reports


def test_json_gives_the_cell_and_cell_relative_lines(folder):
    report = findings(folder, "gan_k_function.ipynb", "unparsable_cell.ipynb")
    rows = [(r["path"], r["code"], r["cell_index"], r["cell_number"], r["line"], r["column"]) for r in report["findings"]]
    assert ("gan_k_function.ipynb", "LP100", 4, 3, 9, 14) in rows  # the fifth cell, the third code cell
    assert report["errors"][0] == {
        "path": "unparsable_cell.ipynb",
        "error": report["errors"][0]["error"],
        "line": 1,
        "column": report["errors"][0]["column"],
        "cell_index": 1,
        "cell_number": 2,
        "cell_id": None,
    }
    assert report["summary"]["files_with_errors"] == 1


def test_json_cell_id_of_an_nbformat_4_5_notebook(folder):
    (row,) = findings(folder, "tf2_tape.ipynb")["findings"]
    cells = ordered((folder / "tf2_tape.ipynb").read_bytes())["cells"]
    assert row["cell_id"] == cells[row["cell_index"]]["id"] and row["cell_id"]


def test_sarif_gives_the_cell_and_validates_with_format_checking(folder):
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("rfc3987", reason="uri-reference format checking needs rfc3987")
    done = lp_fix("--check", "--format", "sarif", "gan_k_function.ipynb", "unparsable_cell.ipynb", cwd=folder)
    assert done.returncode == 123
    report = json.loads(done.stdout.decode())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker())
    (run,) = report["runs"]
    first = run["results"][0]["locations"][0]
    assert first["physicalLocation"]["artifactLocation"]["uri"] == "gan_k_function.ipynb"
    assert first["physicalLocation"]["region"]["startLine"] == 9  # line 9 of code cell 3
    assert first["properties"]["cell"] == {"index": 4, "number": 3, "id": None}
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["locations"][0]["properties"]["cell"]["number"] == 2


# --------------------------------------------------------------------------- flake8-style output


def test_flake8_format_prints_one_line_per_finding(folder):
    shutil.copy(str(FIXTURES / "steps" / "updates_through_name.py"), str(folder / "train.py"))
    done = lp_fix("--check", "--format", "flake8", "train.py", "gan_k_function.ipynb", cwd=folder)
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    assert lines[0].startswith("train.py:7:13: LP100 ")
    assert "gan_k_function.ipynb:cell_3:9:14: LP100 training step inputs lack K.learning_phase()" in "\n".join(lines)
    assert all(re.match(r"^\S+?(:cell_\d+)?:\d+:\d+: LP\d{3} ", line) for line in lines), lines


def test_flake8_format_cannot_share_stdout_with_diff(folder):
    assert lp_fix("--format", "flake8", "--diff", "gan_k_function.ipynb", cwd=folder).returncode == 2


# --------------------------------------------------------------------------- pre-commit


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="try-repo needs this project as a git checkout")
def test_pre_commit_hook_fixes_notebooks_then_passes(tmp_path):
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency (tox installs it)")
    repository = tmp_path / "project"
    repository.mkdir()
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))

    def git(*args):
        subprocess.run(["git"] + list(args), cwd=str(repository), check=True, stdout=subprocess.PIPE)

    def try_repo():
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "lp-fix", "--all-files"]
        return subprocess.run(command, cwd=str(repository), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    git("init", "-q")
    git("config", "user.email", "test@example.com")
    git("config", "user.name", "test")
    shutil.copy(str(NOTEBOOKS / "gan_k_function.ipynb"), str(repository / "gan.ipynb"))
    git("add", "gan.ipynb")
    first = try_repo()
    assert first.returncode == 1, first.stdout.decode()
    assert "fixed gan.ipynb" in first.stdout.decode()
    nbformat.validate(nbformat.reads((repository / "gan.ipynb").read_text(encoding="utf-8"), as_version=4))
    git("add", "gan.ipynb")
    second = try_repo()
    assert second.returncode == 0, second.stdout.decode()


def test_flake8_format_gives_the_lines_nbqa_flake8_gives(folder):
    """nbQA runs flake8 (and this plugin) on a .py made of the code cells: the same lines, cell
    numbers included (both count code cells only; the fixtures have markdown cells between them)."""
    nbqa = os.path.join(os.path.dirname(sys.executable), "nbqa")
    if not os.path.exists(nbqa):
        pytest.skip("nbqa is a test dependency on Python 3.9 and later")
    names = FLATTENABLE
    done = subprocess.run(
        [nbqa, "flake8", "--select=LP"] + names, cwd=str(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    ours = lp_fix("--check", "-q", "--format", "flake8", *names, cwd=folder).stdout.decode().splitlines()
    theirs = done.stdout.decode().splitlines()
    assert sorted(theirs) == sorted(ours) and ours


def test_manual_edit_lines_and_notes_speak_of_cells(tmp_path):
    # A GAN step whose LP200 fix is left to a person (netD applied to `noise * 2`), in the second
    # code cell (the third cell: a markdown cell comes first).
    source = (FIXTURES / "steps" / "gan_applied_inline.py").read_text().split("\n")
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# GAN\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": ["%matplotlib inline\n"] + [l + "\n" for l in source[5:17]]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": [l + "\n" for l in source[17:23]]},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    (tmp_path / "gan.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    done = lp_fix("--check", "--format", "json", "gan.ipynb", cwd=tmp_path)
    err = done.stderr.decode()
    # Line 21 of the .py is line 4 of code cell 2 here; the loss (line 19 of the .py) is its line 2.
    note = "netD is applied to a tensor at line 2 of cell 2 that the step cannot name: add "
    assert "gan.ipynb:cell_2:4: " + note in err, err
    (lp200,) = [r for r in json.loads(done.stdout.decode())["findings"] if r["code"] == "LP200"]
    assert lp200["manual_edit"].startswith(note) and "at line 4 of cell 2" in lp200["manual_edit"]
    assert (lp200["cell_index"], lp200["cell_number"], lp200["line"]) == (2, 2, 4)


def test_first_code_cell_after_markdown_and_raw_cells_is_cell_1(tmp_path):
    """Cells are numbered among code cells, as nbQA and ruff number them: the third cell here is cell_1."""
    # Lines 6-23 of the .py: its line 21 (the D step) is line 16 of the code cell, its line 19 line 14.
    code = (FIXTURES / "steps" / "gan_applied_inline.py").read_text().splitlines(True)[5:23]
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# GAN\n"]},
        {"cell_type": "raw", "metadata": {}, "source": ["raw text\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": code},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    (tmp_path / "gan.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    done = lp_fix("--check", "--format", "flake8", "gan.ipynb", cwd=tmp_path)
    assert "gan.ipynb:cell_1:16:18: LP200 training step updates lack netD's updates" in done.stdout.decode()
    note = "gan.ipynb:cell_1:16: netD is applied to a tensor at line 14 of cell 1 that the step cannot name"
    assert note in done.stderr.decode() and "to the updates at line 16 of cell 1" in done.stderr.decode()


# --------------------------------------------------------------------------- every step fixture as a notebook


def _as_cells(text):
    """The .py text cut into cells at top-level statements (every byte kept, in order)."""
    import ast

    lines = text.splitlines(True)
    starts = sorted(
        {min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) for node in ast.parse(text).body}
    )
    starts = [1] + [s for s in starts[2:]]  # the first two statements (docstring, imports) share cell 1
    bounds = starts + [len(lines) + 1]
    return ["".join(lines[a - 1:b - 1]) for a, b in zip(bounds, bounds[1:]) if a < b]


LP300_FILES = sorted((FIXTURES / "lp300").glob("*.py"))


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (FIXTURES / "steps").glob("*.py") if not p.name.endswith(".fixed.py")) + LP300_FILES,
    ids=lambda p: p.parent.name + "/" + p.stem,
)
def test_every_step_fixture_as_a_notebook_gives_the_py_findings_and_fix(tmp_path, monkeypatch, path):
    """Each step fixture cut into cells (a markdown cell between each two): lp-fix reports the .py's
    findings at the same places and fixes the notebook's cells into the fixed .py, byte for byte."""
    from flake8_learning_phase.frontends.cli import main

    text = path.read_text(encoding="utf-8")
    pieces = _as_cells(text)
    cells, first_line = [], {}
    line = 1
    for number, piece in enumerate(pieces):
        cells.append({"cell_type": "markdown", "metadata": {}, "source": ["Step {}\n".format(number)]})
        cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": piece.splitlines(True)})
        first_line[number + 1] = line  # the code cell's cell_number -> its first line in the .py
        line += len(piece.splitlines())
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    monkeypatch.chdir(str(tmp_path))
    shutil.copy(str(path), "step.py")
    pathlib.Path("step.ipynb").write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    pathlib.Path("setup.cfg").write_text("[flake8]\nmax-line-length = 120\n")

    def report(name):
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["--check", "-j", "1", "--format", "json", name])
        return code, json.loads(out.getvalue())

    py_code, py = report("step.py")
    nb_code, nb = report("step.ipynb")
    assert nb_code == py_code
    in_py = sorted((r["code"], r["line"], r["column"], r["fixable"]) for r in py["findings"])
    in_nb = sorted(
        (r["code"], first_line[r["cell_number"]] + r["line"] - 1, r["column"], r["fixable"]) for r in nb["findings"]
    )
    assert in_nb == in_py
    main(["-q", "-j", "1", "step.py", "step.ipynb"])
    fixed = json.loads(pathlib.Path("step.ipynb").read_text(encoding="utf-8"))
    assert "".join("".join(c["source"]) for c in fixed["cells"] if c["cell_type"] == "code") == pathlib.Path(
        "step.py"
    ).read_text(encoding="utf-8")
    nbformat.validate(nbformat.reads(json.dumps(fixed), as_version=4))


@pytest.mark.parametrize("name", ["gan_k_function.ipynb", "train.py"])
def test_check_never_runs_libcst_for_notebooks_or_py(folder, name):
    """Issue 18: one pipeline; --check says what would change from the findings' edits alone."""
    if name.endswith(".py"):
        shutil.copy(str(FIXTURES / "steps" / "updates_through_name.py"), str(folder / name))
    program = (
        "import sys\n"
        "from flake8_learning_phase.frontends.cli import main\n"
        "status = main(['--check', '-j', '1', sys.argv[1]])\n"
        "print(status, 'libcst' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, name], cwd=str(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert done.stdout.decode().split() == ["1", "False"], done.stderr.decode()


def test_a_notebook_beside_a_package_is_read_for_the_callers_of_its_classes(tmp_path):
    # lp-fix and lp-lsp read the project's notebooks as flake8 does (the lint case's own check)
    case = FIXTURES / "lp300" / "callers_in_a_notebook"
    shutil.copytree(str(case), str(tmp_path / "project"))
    done = lp_fix("check", "--format", "flake8", "models", cwd=tmp_path / "project")
    lines = done.stdout.decode().splitlines()
    assert [line.split(": LP300 ")[0] for line in lines] == [os.path.join("models", "vae.py") + ":19:17"], lines
    assert "its BatchNormalization runs in inference mode" in lines[0]
