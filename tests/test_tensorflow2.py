"""Proof on real TensorFlow 2 / Keras 3 (issue 12, LP300): after lp-fix each buggy program
trains like model.fit or its hand fix, and each correct program is left byte for byte.

Run by ``tox -e py311-tf215`` (tensorflow-cpu 2.15, tf.keras 2) and ``tox -e py311-keras3``
(current tensorflow-cpu, Keras 3), with ``-n 2 --dist loadgroup``: every test of one
program runs in the same worker, which runs each program once per variant.
"""
import math
import os

import pytest

import tf2_proof

try:
    import tensorflow  # noqa: F401

    HAVE_TENSORFLOW = True
except ImportError:
    HAVE_TENSORFLOW = False

if not HAVE_TENSORFLOW and os.environ.get("LP_REQUIRE_TF2"):
    raise RuntimeError("LP_REQUIRE_TF2 is set but TensorFlow is not installed: the proof would be skipped")

pytestmark = [
    pytest.mark.tensorflow2,
    pytest.mark.skipif(not HAVE_TENSORFLOW, reason="TensorFlow 2 is not installed (tox -e py311-tf215 / py311-keras3)"),
]

ENV = tf2_proof.current_env() if HAVE_TENSORFLOW else "none"
ALL = [p for p in tf2_proof.programs() if ENV in p.envs]
FIXED = [p for p in ALL if p.runtime == "fixed"]
UNTOUCHED = [p for p in ALL if p.runtime == "untouched"]


def params(programs):
    return [pytest.param(p, id=p.name, marks=pytest.mark.xdist_group(p.name)) for p in programs]


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """Everything about one program, computed once per worker, with one TensorFlow process.

    lp-fix runs on one copy, the hand fix on another; then one process runs the
    original (loop and reference), the hand-fixed loop and, when lp-fix changed
    the copy, the lp-fixed loop.
    """
    cache = {}

    def get(program):
        if program.name not in cache:
            folder = tmp_path_factory.mktemp(program.name)
            (folder / "lp-fix").mkdir()
            (folder / "hand").mkdir()
            fixed = tf2_proof.copy_program(program, str(folder / "lp-fix"))
            before = tf2_proof.snapshot(fixed)
            done = tf2_proof.lp_fix(fixed)
            entry = {"exit": done.returncode, "stderr": done.stderr.decode(), "before": before,
                     "after": tf2_proof.snapshot(fixed)}
            batch = [(program, "both")]
            if program.runtime == "fixed":
                hand = tf2_proof.copy_program(program, str(folder / "hand"))
                entry["hand_fixed_calls"] = tf2_proof.hand_fix(hand)
                batch.append((hand, "loop"))
                if done.returncode == 1:
                    batch.append((fixed, "loop"))
            results = tf2_proof.run_many(batch)
            entry["as_written"] = results[0]
            if program.runtime == "fixed":
                entry["hand_fixed_loop"] = results[1]["loop"]
                entry["lp_fixed_loop"] = results[2]["loop"] if len(results) > 2 else None
            cache[program.name] = entry
        return cache[program.name]

    return get


def test_there_are_programs_for_this_env():
    assert len(FIXED) >= 8 and len(UNTOUCHED) >= 4, (ENV, len(FIXED), len(UNTOUCHED))


@pytest.mark.parametrize("program", params(FIXED))
def test_buggy_program_as_written_differs_from_its_reference(runs, program):
    run = runs(program)["as_written"]
    assert tf2_proof.difference(run["loop"], run["reference"]) > 1e-3


@pytest.mark.parametrize("program", params(FIXED))
def test_hand_fix_at_the_labelled_calls_matches_the_reference(runs, program):
    """The labels are right: training=True at exactly the ``# expect: LP300`` calls is the fix."""
    run = runs(program)
    assert run["hand_fixed_calls"] >= 1
    assert tf2_proof.difference(run["hand_fixed_loop"], run["as_written"]["reference"]) <= tf2_proof.TOLERANCE


@pytest.mark.parametrize("program", params(FIXED))
def test_lp_fix_rewrites_the_buggy_program(runs, program):
    done = runs(program)
    assert done["exit"] == 1, done["stderr"]
    assert done["after"] != done["before"]


@pytest.mark.parametrize("program", params(FIXED))
def test_program_after_lp_fix_matches_the_reference(runs, program):
    run = runs(program)
    assert run["exit"] == 1, "lp-fix changed nothing: " + run["stderr"]
    assert tf2_proof.difference(run["lp_fixed_loop"], run["as_written"]["reference"]) <= tf2_proof.TOLERANCE


@pytest.mark.parametrize("program", params(UNTOUCHED))
def test_correct_program_trains_like_its_reference(runs, program):
    run = runs(program)["as_written"]
    assert tf2_proof.difference(run["loop"], run["reference"]) <= tf2_proof.TOLERANCE


@pytest.mark.parametrize("program", params(UNTOUCHED))
def test_lp_fix_leaves_the_correct_program_byte_for_byte(runs, program):
    done = runs(program)
    assert done["exit"] == 0, done["stderr"]
    assert done["after"] == done["before"]


@pytest.mark.parametrize("program", params(ALL))
def test_results_are_finite_where_the_reference_is(runs, program):
    reference = runs(program)["as_written"]["reference"]
    assert all(math.isfinite(v) for v in tf2_proof.values(reference))
