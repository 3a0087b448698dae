"""Proof on real TensorFlow 1.15: after lp-fix the step-wise loop trains exactly like model.fit."""
import math
import os

import pytest

import tf_proof

try:
    import tensorflow  # noqa: F401

    HAVE_TENSORFLOW = True
except ImportError:
    HAVE_TENSORFLOW = False

if not HAVE_TENSORFLOW and os.environ.get("LP_REQUIRE_TF"):
    raise RuntimeError("LP_REQUIRE_TF is set but TensorFlow is not installed: the proof would be skipped")

pytestmark = [
    pytest.mark.tensorflow,
    pytest.mark.skipif(not HAVE_TENSORFLOW, reason="TensorFlow 1.15 is not installed (tox -e py37-tf115 runs these)"),
]
CASES = {case.name: case for case in tf_proof.CASES}
# One worker runs all the tests of a case (with pytest-xdist --dist loadgroup): the module
# fixture below then runs each case once, not once per worker.
NAMES = [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in sorted(CASES)]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = tf_proof.run_case(CASES[name], str(tmp_path_factory.mktemp(name)))
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_lp_fix_rewrote_the_copy(results, name):
    assert results(name)["lp_fix"]["exit"] == 1, results(name)["lp_fix"]["stderr"]


@pytest.mark.parametrize("name", NAMES)
def test_fixed_loop_matches_model_fit(results, name):
    run = results(name)
    assert tf_proof.difference(run["fixed"], run["fit"]) <= 1e-5


@pytest.mark.parametrize("name", NAMES)
def test_unfixed_loop_does_not_match_model_fit(results, name):
    run = results(name)
    assert tf_proof.difference(run["unfixed"], run["fit"]) > 1e-2


@pytest.mark.xdist_group("divergence")
def test_unfixed_deep_net_explodes_while_fit_trains(results):
    run = results("divergence")
    unfixed = run["unfixed"]["losses"]
    assert any(math.isnan(loss) or loss > 1e3 for loss in unfixed)
    assert all(loss < 10 for loss in run["fit"]["losses"])


@pytest.mark.xdist_group("keras231_parity")
def test_moving_statistics_stay_at_their_initial_values_without_model_updates(results):
    statistics = results("keras231_parity")["unfixed"]["moving_statistics"]
    assert set(statistics) == {0.0, 1.0}
