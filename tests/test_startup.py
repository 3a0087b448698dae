"""Start-up: what the front ends import before they read a file.  pre-commit and editors start
lp-fix, flake8 and lp-lsp on a few files, where start-up is most of the time: the typed values are
``core.records`` classes, not dataclasses (importing ``dataclasses`` imports ``inspect``, and
each dataclass generates its methods at import), and libcst loads only when a fix is written."""
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["flake8_learning_phase.frontends.cli", "flake8_learning_phase.frontends.plugin"]
)
def test_a_front_end_imports_neither_dataclasses_nor_libcst(module):
    code = "import sys, {}; print(sorted(m for m in ('dataclasses', 'inspect', 'libcst') if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code.format(module)], stdout=subprocess.PIPE, universal_newlines=True, check=True
    )
    assert done.stdout.strip() == "[]"
