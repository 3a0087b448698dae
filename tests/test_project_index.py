"""The project around an analysed file (core/project.py, the resolver's budget in keras/models.py):
one index per project, brought up to date by file size and mtime, and a cost bounded by a
budget of caller modules read, not by the number of callers."""
import ast
import json
import os

from test_models import resolve_file

from flake8_learning_phase.core import project
from flake8_learning_phase.core.evaluator import MAX_CALLER_MODULES

STEP = """\
import tensorflow as tf


def train(model, x):
    with tf.GradientTape() as tape:
        loss = model(x)  # probe
    tape.gradient(loss, model.trainable_variables)
"""
CALLER = """\
import tensorflow as tf
from trainer.step import train

net = tf.keras.Sequential([tf.keras.layers.Dense(2){extra}])
train(net, 1)
"""
BATCH_NORMALIZATION = ", tf.keras.layers.BatchNormalization()"


def _project(tmp_path, callers):
    """trainer/step.py and one caller module per entry of ``callers`` (True: its model has BatchNormalization)."""
    package = tmp_path / "trainer"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "step.py").write_text(STEP)
    for number, batch_normalization in enumerate(callers):
        extra = BATCH_NORMALIZATION if batch_normalization else ""
        (package / "caller_{:03d}.py".format(number)).write_text(CALLER.format(extra=extra))
    return package / "step.py"


def test_a_model_from_the_callers_is_seen(tmp_path):
    info = resolve_file(_project(tmp_path, [False, True]))
    assert info.seen and info.phase_dependent


def test_callers_without_phase_dependent_layers_make_a_seen_model_without_them(tmp_path):
    info = resolve_file(_project(tmp_path, [False] * MAX_CALLER_MODULES))
    assert info.seen and not info.phase_dependent


def test_past_the_budget_of_caller_modules_the_model_is_unseen(tmp_path):
    # the one caller with BatchNormalization comes after the modules the budget reads
    info = resolve_file(_project(tmp_path, [False] * MAX_CALLER_MODULES + [True]))
    assert not info.seen


def test_phase_dependent_layers_found_within_the_budget_still_count(tmp_path):
    info = resolve_file(_project(tmp_path, [True] + [False] * (2 * MAX_CALLER_MODULES)))
    assert info.seen and info.phase_dependent


def test_the_index_follows_a_file_that_changes(tmp_path):
    step = _project(tmp_path, [False])
    assert resolve_file(step).seen and not resolve_file(step).phase_dependent
    caller = tmp_path / "trainer" / "caller_000.py"
    caller.write_text(CALLER.format(extra=BATCH_NORMALIZATION) + "# longer: a new size\n")
    assert resolve_file(step).phase_dependent


def test_the_index_finds_a_new_caller_and_forgets_a_removed_one(tmp_path):
    step = _project(tmp_path, [False])
    (tmp_path / "trainer" / "caller_001.py").write_text(CALLER.format(extra=BATCH_NORMALIZATION))
    assert resolve_file(step).phase_dependent
    os.remove(str(tmp_path / "trainer" / "caller_001.py"))
    assert not resolve_file(step).phase_dependent


def test_one_index_per_project_holds_identifiers_not_substrings(tmp_path):
    step = _project(tmp_path, [False])
    info = project.ModuleInfo(str(step), None)
    index = project.project_index(info, {})
    assert index is project.project_index(info, {})
    own = os.path.abspath(str(step))
    assert [os.path.basename(p) for p in index.mentioning("train", own)] == ["caller_000.py"]
    assert index.mentioning("trai", own) == []


def test_every_call_in_the_functions_own_module_is_followed(tmp_path):
    step = _project(tmp_path, [])
    calls = "".join("train(small_{0}, 1)\n".format(n) for n in range(3 * MAX_CALLER_MODULES))
    models = "".join("small_{0} = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n".format(n)
                     for n in range(3 * MAX_CALLER_MODULES))
    step.write_text(STEP + models + calls + "big = tf.keras.Sequential([tf.keras.layers.Dropout(0.5)])\n"
                    "train(big, 1)\n")
    info = resolve_file(step)
    assert info.seen and info.phase_dependent


def test_an_unchanged_file_is_not_read_again(tmp_path):
    step = _project(tmp_path, [False, False])
    info = project.ModuleInfo(str(step), None)
    first = dict(project.project_index(info, {}).files)
    caller = os.path.abspath(str(tmp_path / "trainer" / "caller_001.py"))
    with open(caller, "a") as handle:
        handle.write("# a new size\n")
    second = project.project_index(info, {}).files
    assert [path for path in first if second[path] is not first[path]] == [caller]


def _lines_reader():
    """A toy reader: a ``.lines`` file is JSON holding a list of source lines (like a notebook,
    its bytes are not Python; its code is)."""

    def code(raw):
        try:
            return "".join(json.loads(raw))
        except ValueError:
            return None

    def module(raw):
        text = code(raw)
        return None if text is None else (text, ast.parse(text))

    return project.ModuleReader(code, module)


def test_files_a_registered_reader_reads_are_modules_of_the_project(tmp_path, monkeypatch):
    monkeypatch.setattr(project, "_READERS", {})
    step = _project(tmp_path, [])
    caller = tmp_path / "caller.lines"
    caller.write_text(json.dumps(CALLER.format(extra=BATCH_NORMALIZATION).splitlines(True)))
    assert not resolve_file(step).seen  # without a reader, the file is not the project's
    project.register_reader(".lines", _lines_reader())
    step.write_text(STEP + "# read again\n")  # a new analysis of the step, its index refreshed
    info = resolve_file(step)
    assert info.seen and info.phase_dependent
    index = project.project_index(project.ModuleInfo(str(step), None), {})
    assert [os.path.basename(p) for p in index.mentioning("train", os.path.abspath(str(step)))] == ["caller.lines"]


def test_a_reader_file_s_words_are_its_code_and_an_unreadable_one_is_no_module(tmp_path, monkeypatch):
    monkeypatch.setattr(project, "_READERS", {".lines": _lines_reader()})
    (tmp_path / "broken.lines").write_text("[not json, train(")
    assert project.load(str(tmp_path / "broken.lines")) is None
    info = project.ModuleInfo(str(tmp_path / "x.py"), None)
    assert project.project_index(info, {}).mentioning("train", "") == []
