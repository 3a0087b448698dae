"""The analysis core on fixture files: every shape of issue 2, positive and negative."""
import ast
import sys

import pytest

from conftest import SILENT, STEPS, expected, ids, read
from flake8_learning_phase import Settings, check_source
from flake8_learning_phase.core import AppendElement, Concatenate, ImportName, analyze, split_lines
from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import build
from flake8_learning_phase.rules._steps import steps


def found(source, settings=Settings()):
    return sorted((f.line, f.code) for f in check_source(source, settings))


@pytest.mark.parametrize("path", STEPS, ids=ids(STEPS))
def test_step_fixture_reports_expected_codes(path):
    source = read(path)
    assert expected(source), "a step fixture must expect something"
    assert found(source) == expected(source)


@pytest.mark.parametrize("path", SILENT, ids=ids(SILENT))
def test_silent_fixture_reports_nothing(path):
    source = read(path)
    assert ast.get_docstring(ast.parse(source)), "say why it must stay silent"
    assert found(source) == []


def test_prefilter_skips_files_without_get_updates():
    # Not even parsed: this text is not valid Python.
    assert check_source("def (:\n") == []


def test_message_starts_with_code_and_names_fix():
    (lp100, lp200) = check_source(read(STEPS[0].parent / "inline_updates.py"))
    # The " (lp-fix)" hint is the front ends' (flake8: frontends/common.message), added to findings with edits.
    assert lp100.message.startswith("LP100 ") and lp100.edits
    assert "K.learning_phase()" in lp100.message
    assert lp200.message.startswith("LP200 ") and "model.updates" in lp200.message


def test_columns_are_characters_not_bytes():
    source = read(STEPS[0].parent / "non_ascii_line.py")
    finding = check_source(source)[0]
    line = source.splitlines()[finding.line - 1]
    assert line[finding.col:].startswith("K.function(")


def only_step(source):
    (step,) = steps(RuleContext(build(ast.parse(source)), split_lines(source), Settings()))
    return step


def test_step_knows_inputs_updates_model_and_call_sites():
    source = read(STEPS[0].parent / "self_attribute_across_methods.py")
    step = only_step(source)
    assert (type(step.inputs).__name__, type(step.updates).__name__, step.model) == ("List", "Name", "self.model")
    (site,) = step.sites
    assert source.splitlines()[site.node.lineno - 1].strip().startswith("return self.train_fn([states")
    assert isinstance(site.node.args[0], ast.List)
    assert not step.escapes


def test_finding_relates_the_call_sites_it_feeds():
    source = read(STEPS[0].parent / "self_attribute_across_methods.py")
    (site,) = check_source(source)[0].call_sites
    assert source.splitlines()[site.line - 1][site.col:].startswith("self.train_fn([states")


def test_returned_step_escapes_but_helper_calls_are_found():
    step = only_step(read(STEPS[0].parent / "helper_returns_step.py"))
    assert step.escapes and len(step.sites) == 1


def test_lp100_edits_inputs_and_every_feed():
    lp100 = check_source(read(STEPS[0].parent / "updates_through_name.py"))[0]
    assert [(type(e), e.text) for e in lp100.edits] == [(AppendElement, "K.learning_phase()"), (AppendElement, "True")]


def test_from_import_gets_learning_phase_added():
    lp100 = check_source(read(STEPS[0].parent / "from_import_function.py"))[0]
    assert "learning_phase" in [e.name for e in lp100.edits if isinstance(e, ImportName)]


def test_existing_phase_import_is_reused():
    lp100 = check_source(read(STEPS[0].parent / "from_import_function_alias.py"))[0]
    assert [(type(e), e.text) for e in lp100.edits][0] == (AppendElement, "phase()")


def test_symbolic_learning_phase_setting():
    source = read(STEPS[0].parent / "tensorflow_python_keras.py")
    lp100 = check_source(source, Settings(learning_phase="symbolic_learning_phase"))[0]
    assert lp100.edits[0].text == "KB.symbolic_learning_phase()"
    assert "KB.symbolic_learning_phase()" in lp100.message


def test_unknown_learning_phase_setting_is_refused():
    with pytest.raises(ValueError):
        Settings(learning_phase="phase")


def test_lp200_concatenates_model_updates():
    lp200 = check_source(read(STEPS[0].parent / "inline_updates.py"))[1]
    assert [(type(e), e.text) for e in lp200.edits] == [(Concatenate, "model.updates")]


def test_phase_set_inside_a_function_silences_lp100():
    source = (
        "from keras import backend as K\n"
        "def main(model, x, loss, opt):\n"
        "    K.set_learning_phase(1)\n"
        "    train = K.function([x], [loss], opt.get_updates(loss, model.trainable_weights) + model.updates)\n"
        "    train([x])\n"
    )
    assert found(source) == []


def test_conditionally_rebound_updates_are_unioned():
    source = (
        "from keras import backend as K\n"
        "def fit(model, x, loss, opt, fast):\n"
        "    if fast:\n"
        "        updates = opt.get_updates(loss, model.trainable_weights)\n"
        "    else:\n"
        "        updates = []\n"
        "    train = K.function([x], [loss], updates)\n"
        "    train([x])\n"
    )
    assert found(source) == [(7, "LP100"), (7, "LP200")]


def test_rebinding_after_the_call_is_not_followed():
    source = (
        "from keras import backend as K\n"
        "def fit(model, x, loss, opt):\n"
        "    updates = []\n"
        "    train = K.function([x], [loss], updates)\n"
        "    updates = opt.get_updates(loss, model.trainable_weights)\n"
    )
    assert found(source) == []


def test_call_of_a_rebound_step_name_is_not_a_call_site():
    source = (
        "from keras import backend as K\n"
        "def fit(model, x, loss, opt):\n"
        "    train = K.function([x], [loss], opt.get_updates(loss, model.trainable_weights))\n"
        "    train([x])\n"
        "    train = K.function([x], [loss])\n"
        "    train([x])\n"
    )
    (lp100, _) = check_source(source)
    assert [site.line for site in lp100.call_sites] == [4]


def test_deeply_nested_expression_does_not_raise():
    nested = "(" * 90 + "loss" + ")" * 90
    source = (
        "from keras import backend as K\n"
        "def fit(model, x, loss, opt):\n"
        "    return K.function([x], [{}], opt.get_updates(loss, model.trainable_weights))\n".format(nested)
    )
    assert found(source) == [(3, "LP100"), (3, "LP200")]


def test_long_concatenation_chain_does_not_raise():
    chain = " + ".join("[u{}]".format(i) for i in range(2000))
    source = (
        "from keras import backend as K\n"
        "def fit(model, x, loss, opt):\n"
        "    return K.function([x], [loss], opt.get_updates(loss, model.trainable_weights) + {})\n".format(chain)
    )
    tree = ast.parse(source)
    assert [f.code for f in analyze(tree, split_lines(source))] == ["LP100", "LP200"]


def test_huge_file_without_steps_is_cheap_and_silent():
    source = "x = 1\n" * 50000 + "# get_updates\n"
    assert found(source) == []


@pytest.mark.skipif(sys.version_info < (3, 8), reason="walrus needs Python 3.8")
def test_walrus_binding_is_followed():
    source = (
        "from keras import backend as K\n"
        "def fit(model, x, loss, opt):\n"
        "    if (updates := opt.get_updates(loss, model.trainable_weights)):\n"
        "        train = K.function([x], [loss], updates)\n"
        "        train([x])\n"
    )
    assert found(source) == [(4, "LP100"), (4, "LP200")]


def test_prefilter_skips_files_that_only_define_get_updates():
    # Not parsed: no ``<x>.get_updates(`` call, so nothing the analysis could find.
    assert check_source("def get_updates(self, loss, params):\n    return [\n") == []


def test_full_tf_compat_v1_chain():
    source = (
        "import tensorflow as tf\n"
        "def fit(model, x, loss, opt):\n"
        "    train = tf.compat.v1.keras.backend.function([x], [loss], opt.get_updates(loss, model.weights))\n"
        "    train([x])\n"
    )
    assert found(source) == [(3, "LP100"), (3, "LP200")]


PROJECTS = STEPS[0].parent.parent / "projects"


@pytest.mark.parametrize("name, line", [("train.py", 7), ("train2.py", 8)])
def test_backend_through_star_and_relative_imports_is_followed(name, line):
    path = PROJECTS / "star_backend" / "pkg" / name
    findings = check_source(read(path), path=str(path))
    assert [(f.line, f.code) for f in findings] == [(line, "LP100"), (line, "LP200")]


def test_backend_through_the_project_needs_the_path():
    path = PROJECTS / "star_backend" / "pkg" / "train.py"
    assert check_source(read(path)) == []


def test_a_library_step_is_not_judged_by_the_models_of_its_tests():
    # keras-rl2: the only caller in the project is a test building a Dense-only actor.
    path = PROJECTS / "library_tested" / "rlkit" / "agents" / "ddpg.py"
    findings = check_source(read(path), path=str(path))
    assert [(f.line, f.code) for f in findings] == [(17, "LP101")]
    assert "matters if the model has BatchNormalization or Dropout" in findings[0].message
