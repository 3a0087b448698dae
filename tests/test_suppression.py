"""What the user silenced is silenced in every front end, as flake8 decides it (issue 22, item 1).

Each case runs the real flake8 (with the plugin) and the real lp-fix on the same file and config,
and compares what they report; lp-fix must also leave a silenced finding unedited.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from flake8_learning_phase.frontends.cli import main
from flake8_learning_phase.frontends.config import load
from flake8_learning_phase.frontends.suppression import NoqaLines, policy

BIN = os.path.dirname(sys.executable)
ROOT = pathlib.Path(__file__).parent.parent

STEP = '''import keras.backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
    train = K.function([x, y], [loss], updates=updates){comment}
    for xb, yb in batches:
        train([xb, yb])
'''
MULTI_LINE = '''import keras.backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
    train = K.function(
        [x, y], [loss], updates=updates){comment}
    for xb, yb in batches:
        train([xb, yb])
'''
BACKSLASH = '''import keras.backend as K


def fit(model, x, y, loss, optimizer, batches):
    updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
    train = K.function([x, y], [loss], \\
                       updates=updates){comment}
    for xb, yb in batches:
        train([xb, yb])
'''

# (id, source, config files {name: text}, reported codes)
CASES = [
    ("nothing silenced", STEP.format(comment=""), {}, ["LP100", "LP200"]),
    ("bare noqa", STEP.format(comment="  # noqa"), {}, []),
    ("noqa both codes", STEP.format(comment="  # noqa: LP100,LP200"), {}, []),
    ("noqa one code", STEP.format(comment="  # noqa: LP200"), {}, ["LP100"]),
    ("noqa prefix, no space", STEP.format(comment="  # NOQA:LP2"), {}, ["LP100"]),
    ("noqa of another tool", STEP.format(comment="  # noqa: E501"), {}, ["LP100", "LP200"]),
    ("noqa without its space", STEP.format(comment="  #noqa"), {}, ["LP100", "LP200"]),
    ("noqa space before colon is blanket", STEP.format(comment="  # noqa : LP100"), {}, []),
    ("noqa on the last line of a multi-line call", MULTI_LINE.format(comment="  # noqa"), {}, ["LP100", "LP200"]),
    ("noqa after a backslash continuation", BACKSLASH.format(comment="  # noqa: LP100"), {}, ["LP200"]),
    ("flake8: noqa file", "# flake8: noqa\n" + STEP.format(comment=""), {}, []),
    (
        "per-file-ignores in setup.cfg",
        STEP.format(comment=""),
        {"setup.cfg": "[flake8]\nper-file-ignores =\n    other.py:LP200\n    train.py:LP100\n"},
        ["LP200"],
    ),
    ("extend-ignore in tox.ini", STEP.format(comment=""), {"tox.ini": "[flake8]\nextend-ignore = LP2\n"}, ["LP100"]),
    ("ignore in .flake8", STEP.format(comment=""), {".flake8": "[flake8]\nignore = LP100\n"}, ["LP200"]),
    ("select without LP", STEP.format(comment=""), {".flake8": "[flake8]\nselect = E,W,F\n"}, []),
    (
        "select longer than ignore",
        STEP.format(comment=""),
        {".flake8": "[flake8]\nextend-select = LP100\nextend-ignore = LP\n"},
        ["LP100"],
    ),
    ("extend-exclude", STEP.format(comment=""), {"setup.cfg": "[flake8]\nextend-exclude = train.py\n"}, []),
    ("exclude a glob", STEP.format(comment=""), {"setup.cfg": "[flake8]\nexclude = tr*.py\n"}, []),
    ("disable-noqa", STEP.format(comment="  # noqa"), {"setup.cfg": "[flake8]\ndisable-noqa = true\n"},
     ["LP100", "LP200"]),
]


def _write(folder, source, files):
    (folder / "train.py").write_text(source)
    for name, text in files.items():
        (folder / name).write_text(text)


def _codes(output: str):
    return sorted(re.findall(r"^train\.py:\d+:\d+: (LP\d+)", output, re.M))


@pytest.mark.parametrize("name, source, files, reported", CASES, ids=[c[0] for c in CASES])
def test_lp_fix_reports_what_flake8_reports_and_edits_nothing_silenced(tmp_path, name, source, files, reported):
    _write(tmp_path, source, files)
    flake8 = subprocess.run(
        [os.path.join(BIN, "flake8"), "train.py"], cwd=str(tmp_path), stdout=subprocess.PIPE, universal_newlines=True
    )
    assert _codes(flake8.stdout) == reported, flake8.stdout
    lp_fix = subprocess.run(
        [os.path.join(BIN, "lp-fix"), "--check", "--format", "flake8", "train.py"],
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    assert _codes(lp_fix.stdout) == reported, lp_fix.stdout + lp_fix.stderr
    assert lp_fix.returncode == (1 if reported else 0), lp_fix.stderr
    # Writing: only what is reported is fixed; a file with nothing reported stays byte-identical.
    fixed = subprocess.run([os.path.join(BIN, "lp-fix"), "train.py"], cwd=str(tmp_path), stderr=subprocess.PIPE)
    after = (tmp_path / "train.py").read_text()
    if not reported:
        assert fixed.returncode == 0 and after == source, fixed.stderr
    else:
        assert ("K.learning_phase()" in after) == ("LP100" in reported)
        assert ("model.updates" in after) == ("LP200" in reported)


def test_main_honours_noqa_in_a_notebook(tmp_path, monkeypatch):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(STEP.format(comment="  # noqa: LP100"))]
    path = tmp_path / "train.ipynb"
    nbformat.write(notebook, str(path))
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    assert main(["--check", str(path)]) == 1
    assert main([str(path)]) == 1
    text = path.read_text()
    assert text != before.decode() and "model.updates" in text and "learning_phase" not in text
    notebook.cells = [nbformat.v4.new_code_cell(STEP.format(comment="  # noqa"))]
    nbformat.write(notebook, str(path))
    before = path.read_bytes()
    assert main([str(path)]) == 0 and path.read_bytes() == before


def _policy(tmp_path, files, **options):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return policy(load(str(tmp_path)), **options)


def test_pyproject_tool_flake8_is_read_as_flake8_pyproject_reads_it(tmp_path):
    chosen = _policy(tmp_path, {"pyproject.toml": '[tool.flake8]\nextend-ignore = ["LP100", "LP2"]\n'})
    assert chosen.codes_for("train.py", ["LP100", "LP101", "LP200"]) == ("LP101",)


def test_tool_flake8_in_pyproject_replaces_the_ini_files_of_its_folder(tmp_path):
    chosen = _policy(
        tmp_path,
        {"pyproject.toml": "[tool.flake8]\nignore = ['LP100']\n", "setup.cfg": "[flake8]\nignore = LP200\n"},
    )
    assert chosen.codes_for("train.py", ["LP100", "LP200"]) == ("LP200",)


def test_tool_lp_fix_over_flake8_and_the_command_line_over_both(tmp_path):
    files = {
        "setup.cfg": "[flake8]\nextend-ignore = LP100\nper-file-ignores = train.py:LP101\n",
        "pyproject.toml": "[tool.lp-fix]\nextend-ignore = ['LP200']\nper-file-ignores = {'t*.py' = ['LP300']}\n",
    }
    chosen = _policy(tmp_path, files)
    assert chosen.codes_for("train.py", ["LP100", "LP101", "LP200", "LP300"]) == ("LP100", "LP101")
    assert chosen.codes_for("other.py", ["LP100", "LP200", "LP300"]) == ("LP100", "LP300")
    narrowed = _policy(tmp_path, {}, select=["LP3"])
    assert narrowed.codes_for("other.py", ["LP100", "LP200", "LP300"]) == ("LP300",)


def test_unknown_key_in_tool_lp_fix_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text("[tool.lp-fix]\nignor = ['LP100']\n")
    (tmp_path / "train.py").write_text(STEP.format(comment=""))
    monkeypatch.chdir(tmp_path)
    assert main(["train.py"]) == 2
    assert "unknown key(s) ignor" in capsys.readouterr().err


def test_tool_lp_fix_sets_the_learning_phase_and_line_length(tmp_path, monkeypatch):
    (tmp_path / "setup.cfg").write_text("[flake8]\nlp-learning-phase = learning_phase\nmax-line-length = 200\n")
    (tmp_path / "pyproject.toml").write_text("[tool.lp-fix]\nlearning-phase = 'symbolic_learning_phase'\n")
    (tmp_path / "train.py").write_text(STEP.format(comment=""))
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "train.py"]) == 1
    text = (tmp_path / "train.py").read_text()
    assert "K.function([x, y, K.symbolic_learning_phase()], [loss], updates=updates + model.updates)" in text


def test_noqa_lines_join_only_what_flake8_joins():
    lines = NoqaLines('x = """a\nb"""  # noqa\ny = (1,\n     2)  # noqa\n')
    assert lines.silences("LP100", 1) and lines.silences("LP100", 2)
    assert not lines.silences("LP100", 3) and lines.silences("LP100", 4)
