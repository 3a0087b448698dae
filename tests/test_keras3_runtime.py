"""Proof on real Keras 3 with JAX and with torch, CPU (issue 21, LP300 and LP301): after lp-fix
each buggy program trains like model.fit to 1e-6 (batch losses, evaluation loss, moving
statistics), a program lp-fix cannot fix is left as written and still reported, and each
correct program is left byte for byte.

Run by ``tox -e py311-keras3-jax-torch``.  One process per program, on its own backend
(``# backend:`` in its header), runs it as written and, when lp-fix changed it, the fixed copy.
"""
import math
import os
import subprocess
import sys

import pytest

import k3_proof


def _have_backends():
    """keras 3, jax and torch installed (asked of the metadata: importing keras here would load
    its default TensorFlow backend; each program imports it with its own KERAS_BACKEND)."""
    from importlib import metadata  # Python 3.8+; this file is skipped on 3.7 anyway

    try:
        metadata.version("jax")
        metadata.version("torch")
        return int(metadata.version("keras").split(".")[0]) >= 3
    except metadata.PackageNotFoundError:
        return False


HAVE_BACKENDS = sys.version_info >= (3, 9) and _have_backends()

if not HAVE_BACKENDS and os.environ.get("LP_REQUIRE_KERAS3_BACKENDS"):
    raise RuntimeError("LP_REQUIRE_KERAS3_BACKENDS is set but keras 3, jax or torch is missing")

pytestmark = [
    pytest.mark.keras3_backends,
    pytest.mark.skipif(not HAVE_BACKENDS, reason="keras 3, jax and torch are not installed (py311-keras3-jax-torch)"),
]

ALL = k3_proof.programs()
FIXED = [p for p in ALL if p.runtime == "fixed"]
REPORTED = [p for p in ALL if p.runtime == "reported"]
UNTOUCHED = [p for p in ALL if p.runtime == "untouched"]


def params(programs):
    return [pytest.param(p, id=p.name, marks=pytest.mark.xdist_group(p.name)) for p in programs]


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """Everything about one program, computed once: lp-fix on a copy, then one process."""
    cache = {}

    def get(program):
        if program.name not in cache:
            fixed = k3_proof.copy_program(program, str(tmp_path_factory.mktemp(program.name)))
            before = k3_proof.read(fixed)
            done = k3_proof.lp_fix(fixed)
            entry = {"exit": done.returncode, "output": (done.stdout + done.stderr).decode(), "before": before,
                     "after": k3_proof.read(fixed), "fixed": fixed}
            batch = [(program, "both")]
            if entry["after"] != before:
                batch.append((fixed, "loop"))
            results = k3_proof.run_many(batch, program.backend)
            entry["as_written"] = results[0]
            entry["lp_fixed_loop"] = results[1]["loop"] if len(results) > 1 else None
            cache[program.name] = entry
        return cache[program.name]

    return get


def test_there_are_enough_programs_on_both_backends():
    assert len(FIXED) + len(REPORTED) >= 9 and len(FIXED) >= 7 and len(UNTOUCHED) >= 4
    for backend in ("jax", "torch"):
        assert sum(p.backend == backend for p in FIXED) >= 3
        assert sum(p.backend == backend for p in UNTOUCHED) >= 2


@pytest.mark.parametrize("program", params(ALL))
def test_program_runs_on_its_backend(runs, program):
    assert runs(program)["as_written"]["backend"] == program.backend


@pytest.mark.parametrize("program", params(FIXED + REPORTED))
def test_buggy_program_as_written_differs_from_fit(runs, program):
    run = runs(program)["as_written"]
    assert k3_proof.difference(run["loop"], run["reference"]) > 1e-3


@pytest.mark.parametrize("program", params(FIXED))
def test_program_after_lp_fix_matches_fit(runs, program):
    run = runs(program)
    assert run["exit"] == 1 and run["after"] != run["before"], run["output"]
    assert k3_proof.difference(run["lp_fixed_loop"], run["as_written"]["reference"]) <= k3_proof.TOLERANCE


@pytest.mark.parametrize("program", params(REPORTED))
def test_program_lp_fix_cannot_fix_is_left_and_still_reported(runs, program):
    run = runs(program)
    assert run["after"] == run["before"]
    assert "need" in run["output"] and "manual edit" in run["output"], run["output"]
    done = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=LP3", run["fixed"].path],
                          stdout=subprocess.PIPE, universal_newlines=True)
    assert " LP301 " in done.stdout


@pytest.mark.parametrize("program", params(UNTOUCHED))
def test_correct_program_trains_like_fit_and_is_left_byte_for_byte(runs, program):
    run = runs(program)
    assert run["exit"] == 0 and run["after"] == run["before"], run["output"]
    assert k3_proof.difference(run["as_written"]["loop"], run["as_written"]["reference"]) <= k3_proof.TOLERANCE


@pytest.mark.parametrize("program", params(ALL))
def test_reference_is_finite(runs, program):
    assert all(math.isfinite(v) for v in k3_proof.values(runs(program)["as_written"]["reference"]))
