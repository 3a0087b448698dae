"""LP300 on Keras 3's JAX and torch backends (issue 21): the lint cases in
tests/fixtures/keras3_backends, their positions, and what lp-fix makes of them.

Every ``# expect: LP300`` line is reported at the ``stateless_call`` (JAX) or the model
call (torch), and nothing else is; the fixed files lint clean.
"""
import ast
import shutil

import pytest

from conftest import FIXTURES, expected, flake8_findings, read
from flake8_learning_phase import check_source, fix_source

CASES = FIXTURES / "keras3_backends"


def flake8(folder, select):
    found = {}
    for reported in flake8_findings(folder, select):
        name = reported.path.replace("\\", "/").rsplit("/", 1)[-1]
        found.setdefault(name, []).append((reported.line, reported.col, reported.code))
    return found


def call_columns(source, line):
    """Columns of the stateless_call / model calls starting on ``line`` (1-based line, 0-based column)."""
    columns = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.lineno == line:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "stateless_call" or isinstance(func, ast.Name) \
                    or isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id == "self" and func.attr != "optimizer":
                columns.add(node.col_offset)
    return columns


def labels(code):
    found = {}
    for path in sorted(CASES.glob("*.py")):
        lines = [line for line, c in expected(read(path)) if c == code]
        if lines:
            found[path.name] = lines
    return found


def test_flake8_reports_exactly_the_labelled_lines_at_the_call():
    found = flake8(CASES, "LP300")
    assert {name: sorted(line for line, _, _ in hits) for name, hits in found.items()} == labels("LP300")
    for name, hits in found.items():
        source = read(CASES / name)
        for line, col, _ in hits:
            assert col - 1 in call_columns(source, line), (name, line, col)  # flake8 counts from 1


def test_there_are_jax_and_torch_cases_both_ways():
    names = [p.name for p in CASES.glob("*.py")]
    reported = labels("LP300")
    for prefix in ("jax_", "torch_"):
        cases = [n for n in names if n.startswith(prefix)]
        assert sum(n in reported for n in cases) >= 4 and sum(n not in reported for n in cases) >= 3


def fixed_text(name):
    return fix_source(read(CASES / name), codes=["LP300"]).source


def test_fix_goes_on_the_grad_fn_call_that_feeds_the_training_parameter():
    source = fixed_text("jax_override_grad_fn_without_flag.py")
    assert "grads = grad_fn(trainable, non_trainable, x, y, training=True)\n" in source
    assert "x, training=training\n" in source  # the stateless_call itself is left as written
    assert check_source(source, codes=["LP300"]) == []


def test_fix_adds_the_flag_to_the_stateless_call_and_the_torch_model_call():
    assert "net.stateless_call(params, state, xb, training=True)  # expect" in fixed_text("jax_module_level_loss.py")
    assert "outputs = model(inputs, training=True)" in fixed_text("torch_loop_backward.py")
    assert "y_pred = self(x, training=True)  # expect" in fixed_text("torch_train_step_override.py")


def test_fixed_cases_lint_clean(tmp_path):
    folder = tmp_path / "cases"
    shutil.copytree(str(CASES), str(folder))
    for path in folder.glob("*.py"):
        path.write_text(fix_source(read(path), codes=["LP300"]).source, encoding="utf-8")
    assert flake8(folder, "LP300") == {}


def test_a_torch_loop_that_also_trains_a_torch_module_gets_a_manual_note_not_an_edit():
    source = '''import keras
import torch


class Wrapper(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(1)])

    def forward(self, x):
        return self.inner(x)


def train(model, loader, optimizer):
    for x, y in loader:
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()


train(keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(1)]), [], None)
train(Wrapper(), [], None)
'''
    forward, loop = check_source(source, codes=["LP300"])
    assert (loop.line, loop.edits) == (16, ())
    assert "torch module" in loop.manual
    # the Keras model inside the torch module's forward follows the module's own flag
    assert (forward.line, forward.edits[0].value) == (11, "self.training")


@pytest.mark.parametrize("flag", ["training=True", "training=False", "**options"])
def test_a_torch_call_that_passes_a_flag_is_silent(flag):
    source = read(CASES / "torch_loop_backward.py").replace("model(inputs)", "model(inputs, {})".format(flag))
    assert check_source(source, codes=["LP300"]) == []


def test_jax_training_passed_positionally_or_literally_is_silent():
    source = read(CASES / "jax_module_level_loss.py")
    for call in ("net.stateless_call(params, state, xb, True)",
                 "net.stateless_call(params, state, xb, training=False)"):
        assert check_source(source.replace("net.stateless_call(params, state, xb)", call), codes=["LP300"]) == []


def test_runtime_programs_are_reported_exactly_at_their_labels():
    """The proof programs (tests/test_keras3_runtime.py) as lint cases: no JAX or torch needed."""
    programs = FIXTURES / "keras3_runtime"
    found = flake8(programs, "LP300,LP301")
    want = {}
    for path in sorted(programs.glob("*.py")):
        pairs = [(line, code) for line, code in expected(read(path)) if code in ("LP300", "LP301")]
        if pairs:
            want[path.name] = pairs
    assert {name: sorted((line, code) for line, _, code in hits) for name, hits in found.items()} == want


def test_jitted_gradient_function_gets_the_flag_in_its_partial_or_a_manual_note():
    source = read(CASES / "jax_partial_other_keyword.py")
    assert "partial(objective, scale=0.5, training=True)" in fix_source(source, codes=["LP300"]).source
    bare = source.replace("partial(objective, scale=0.5)", "objective")
    (finding,) = check_source(bare, codes=["LP300"])
    assert finding.edits == () and "before jax.jit" in finding.manual
    # not jitted: the flag goes on the gradient function's call
    plain = bare.replace("jax.jit(jax.grad(objective, has_aux=True))", "jax.grad(objective, has_aux=True)")
    assert "gradients(trainable, non_trainable, x, y, training=True)" in fix_source(plain, codes=["LP300"]).source


def test_keras_model_in_a_torch_module_forward_gets_the_module_flag():
    path = FIXTURES / "keras3_runtime" / "torch_module_wrapping_keras.py"
    source = read(path)
    fixed = fix_source(source, codes=["LP300"], path=str(path)).source  # the harness shows the model
    assert fixed == source.replace("return self.model(x)  #", "return self.model(x, training=self.training)  #")
