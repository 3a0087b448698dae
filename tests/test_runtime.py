"""The runtime suite on real TensorFlow (issue 11, item 4): see tests/runtime_suite.py.

``tox -e py37-tf115`` (or ``pytest -m tensorflow -n 2 tests/test_runtime.py``
in a Python with tensorflow 1.15.5 and keras 2.3.1) runs it.
"""
import os
import pathlib

import pytest

import runtime_suite
from conftest import expected, read

try:
    import tensorflow

    HAVE_TENSORFLOW = True
except ImportError:
    HAVE_TENSORFLOW = False

if not HAVE_TENSORFLOW and os.environ.get("LP_REQUIRE_TF"):
    raise RuntimeError("LP_REQUIRE_TF is set but TensorFlow is not installed: the runtime suite would be skipped")

pytestmark = [
    pytest.mark.tensorflow,
    pytest.mark.skipif(not HAVE_TENSORFLOW, reason="TensorFlow 1.x is not installed (tox -e py37-tf115 runs these)"),
]
PROGRAMS = runtime_suite.programs()
FILES = sorted(
    os.path.relpath(os.path.join(folder, name), runtime_suite.PROGRAMS)
    for folder, _, names in os.walk(runtime_suite.PROGRAMS)
    for name in names
    if name.endswith(".py")
)


def test_the_suite_has_its_programs():
    kinds = [p.runtime for p in PROGRAMS]
    assert len(PROGRAMS) >= 26 and {"fixed", "manual", "untouched"} <= set(kinds)
    assert {"tf.keras", "keras"} == {p.flavour for p in PROGRAMS}


@pytest.fixture
def server():
    """A runner process for one program: its runs (as written, reference, fixed copy) share one
    TensorFlow import and get a fresh graph each.  Not shared between programs: after other
    programs have run in a process, a BatchNormalization GAN's runs there differ from their twins
    in the fourth digit (measured: 7e-4 to 1e-2), which would hide a fix's own difference."""
    running = runtime_suite.Server()
    yield running
    running.close()


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_program(program, tmp_path, server):
    if not runtime_suite.satisfied(program.requires, tensorflow.__version__):
        pytest.skip("needs " + program.requires)
    if not runtime_suite.satisfied(program.reproducible, tensorflow.__version__):
        pytest.skip("TensorFlow {} runs its reference differently from run to run; reproducible with {}".format(
            tensorflow.__version__, program.reproducible))
    run = runtime_suite.run_program(program, str(tmp_path), server)
    found = runtime_suite.problems(program, run)
    assert not found, "{} ({}): {}".format(program.name, program.runtime, "\n".join(found))


@pytest.fixture(scope="session")
def findings():
    return runtime_suite.lint_findings()


@pytest.mark.parametrize("path", FILES)
def test_findings_are_where_the_expect_comments_say(path, findings):
    source = read(pathlib.Path(runtime_suite.PROGRAMS, path))
    assert findings.get(path, []) == expected(source)
