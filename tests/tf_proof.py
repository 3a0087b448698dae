"""Runs the TensorFlow proof scripts: model.fit, the loop as written, the loop after lp-fix.

Shared by tests/test_tensorflow.py and docs/generate_tf_proof.py, so the docs
show the numbers the tests check.  Each run is a fresh Python process (a fresh
TensorFlow graph); lp-fix is the installed command, run on a copy.
"""
import json
import math
import os
import shutil
import subprocess
import sys
from typing import Dict, List, NamedTuple, Sequence

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "tensorflow")


class Case(NamedTuple):
    name: str
    title: str
    lp_fix_args: Sequence[str] = ()


CASES = [
    Case("tfkeras_parity", "tf.keras 1.15, `from tensorflow.keras import backend as K`"),
    Case(
        "tfpython_symbolic",
        "`from tensorflow.python.keras import backend as K`, `--learning-phase symbolic_learning_phase`",
        ("--learning-phase", "symbolic_learning_phase"),
    ),
    Case("keras231_parity", "standalone keras 2.3.1, `from keras import backend as K`, old `get_updates`"),
    Case("divergence", "deeper BatchNormalization net, lr 0.1, Nesterov momentum 0.9"),
    Case("tf_optimizer_parity", "tf.keras 1.15, a `tf.train` optimizer's `apply_gradients` op as the update"),
]


def lp_fix(path: str, args: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """The installed lp-fix command, next to this Python."""
    command = os.path.join(os.path.dirname(sys.executable), "lp-fix")
    return subprocess.run([command] + list(args) + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run(script: str, mode: str) -> Dict:
    env = dict(os.environ, PYTHONPATH=SCRIPTS, TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0", PYTHONWARNINGS="ignore")
    done = subprocess.run(
        [sys.executable, script, mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError("{} {} failed:\n{}".format(script, mode, done.stderr.decode(errors="replace")[-3000:]))
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def run_case(case: Case, folder: str) -> Dict[str, Dict]:
    """``{"fit": ..., "unfixed": ..., "fixed": ..., "lp_fix": ...}`` for one script."""
    original = os.path.join(SCRIPTS, case.name + ".py")
    fixed = os.path.join(folder, case.name + ".py")
    shutil.copy(original, fixed)
    done = lp_fix(fixed, case.lp_fix_args)
    return {
        "fit": run(original, "fit"),
        "unfixed": run(original, "loop"),
        "fixed": run(fixed, "loop"),
        "lp_fix": {"exit": done.returncode, "stderr": done.stderr.decode()},
    }


def values(result: Dict) -> List[float]:
    return (
        list(result["batch_losses"])
        + list(result["losses"])
        + list(result["moving_statistics"])
        + [result["evaluation_loss"]]
    )


def difference(result: Dict, reference: Dict) -> float:
    """Largest difference relative to max(|reference|, 1); NaN counts as infinite."""
    worst = 0.0
    for value, expected in zip(values(result), values(reference)):
        if math.isnan(value) or math.isnan(expected):
            return math.inf
        worst = max(worst, abs(value - expected) / max(abs(expected), 1.0))
    return worst
