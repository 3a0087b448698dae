"""Runs the Keras 3 JAX / torch proof programs of issue 21 (LP300, LP301): as written and after lp-fix.

A program is a file ``fixtures/keras3_runtime/<name>.py``.  Its header comments say what it proves:

    # runtime: fixed | untouched | reported   (lp-fix must make it train like model.fit; must not
                                               touch a correct one; must leave one it cannot fix,
                                               which stays reported)
    # backend: jax | torch                    (KERAS_BACKEND for its process)

``# expect: LP300`` / ``# expect: LP301`` mark the lines the linter reports.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Dict, List, NamedTuple, Sequence

from tf2_proof import difference, values  # noqa: F401 (the same measure as the TF2 proof)

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "fixtures", "keras3_runtime")
HARNESS = "k3harness.py"
TOLERANCE = 1e-6
_HEADER = re.compile(r"^#\s*(runtime|backend):\s*(.+?)\s*$", re.M)


class Program(NamedTuple):
    name: str
    path: str
    runtime: str
    backend: str


def programs() -> List[Program]:
    found = []
    for entry in sorted(os.listdir(PROGRAMS)):
        if not entry.endswith(".py") or entry == HARNESS:
            continue
        path = os.path.join(PROGRAMS, entry)
        with open(path, encoding="utf-8") as handle:
            header = dict(_HEADER.findall(handle.read()))
        found.append(Program(entry[:-3], path, header["runtime"], header["backend"]))
    return found


def copy_program(program: Program, folder: str) -> Program:
    """The program copied into ``folder`` with the harness beside it (part of its project for lp-fix)."""
    target = os.path.join(folder, os.path.basename(program.path))
    shutil.copy(program.path, target)
    shutil.copy(os.path.join(PROGRAMS, HARNESS), folder)
    return program._replace(path=target)


def lp_fix(program: Program) -> subprocess.CompletedProcess:
    command = os.path.join(os.path.dirname(sys.executable), "lp-fix")
    return subprocess.run([command, program.path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def read(program: Program) -> bytes:
    with open(program.path, "rb") as handle:
        return handle.read()


def run_many(runs: Sequence, backend: str) -> List[Dict]:
    """``[(program, mode), ...]`` of one backend in one fresh Python process (tests/k3_run.py)."""
    env = dict(
        os.environ,
        PYTHONPATH=PROGRAMS,
        KERAS_BACKEND=backend,
        PYTHONHASHSEED="0",
        PYTHONWARNINGS="ignore",
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS="1",
        JAX_PLATFORMS="cpu",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    arguments = ["{}:{}".format(program.path, mode) for program, mode in runs]
    done = subprocess.run([sys.executable, os.path.join(HERE, "k3_run.py")] + arguments,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=PROGRAMS)
    if done.returncode != 0:
        raise RuntimeError("{} failed:\n{}".format(arguments, done.stderr.decode(errors="replace")[-4000:]))
    return json.loads(done.stdout.decode().strip().splitlines()[-1])
