"""Imports run downward only, checked: the import-linter contracts of .importlinter, and no
module reaching into another's private names or importing inside a function to dodge a cycle."""
import ast
import os
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "flake8_learning_phase"


def _lint_imports() -> str:
    script = pathlib.Path(sys.executable).parent / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    if not script.exists() and sys.version_info < (3, 9):
        pytest.skip("import-linter runs on Python 3.9 and later (tox.ini installs it there)")
    return str(script)


def test_import_linter_contracts_are_kept():
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=str(PACKAGE.parent),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _dotted(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_private_name_is_imported_from_another_module():
    reached = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flake8_learning_phase"):
                reached += ["{}: {}.{}".format(_dotted(path), node.module, alias.name)
                            for alias in node.names if alias.name.startswith("_") and not alias.name.endswith("__")]
                if any(part.startswith("_") for part in node.module.split(".")):
                    reached.append("{}: {}".format(_dotted(path), node.module))
    assert reached == []


# Deferred to keep libcst (~0.3 s to import) out of flake8 runs and lp-fix --check, not to hide a cycle.
DEFERRED = [
    "flake8_learning_phase.__getattr__: flake8_learning_phase",
    "flake8_learning_phase.fixer._apply: flake8_learning_phase.fixer.chunks",
]


def test_no_function_imports_the_package():
    local = []
    for path, tree in _modules():
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flake8_learning_phase"):
                    local.append("{}.{}: {}".format(_dotted(path), function.name, node.module))
    assert local == DEFERRED
