"""Runs the TF2 / Keras 3 proof programs of issue 12 (LP300): as written, after lp-fix, by hand.

Shared by tests/test_tensorflow2.py and docs/generate_tf2_proof.py.  A program
is a file ``fixtures/tensorflow2/<name>.py`` or a folder
``fixtures/tensorflow2/<name>/`` whose ``main.py`` imports its own modules.
Its header comments say what it proves:

    # runtime: fixed | untouched   (buggy: lp-fix must fix it; correct: lp-fix must not touch it)
    # reference: fit | hand        (model.fit, or the same loop written by hand with training=True)
    # envs: tf215 keras3           (tensorflow-cpu 2.15 with tf.keras 2, current tensorflow with Keras 3)

``# expect: LP300`` marks the first line of each model call that lacks
``training=True``.  :func:`hand_fix` adds ``training=True`` to exactly those
calls: it checks the labels (the hand-fixed program must train like its
reference) independently of lp-fix.
"""
import ast
import json
import math
import os
import re
import shutil
import subprocess
import sys

from typing import Dict, List, NamedTuple, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "fixtures", "tensorflow2")
HARNESS = "tf2harness.py"
TOLERANCE = 1e-5
_HEADER = re.compile(r"^#\s*(runtime|reference|envs):\s*(.+?)\s*$", re.M)
_EXPECT = re.compile(r"#\s*expect:\s*(?:LP\d{3}\s*)*LP300")
NOT_MODELS = {"tf", "keras", "np", "ops", "K", "layers", "harness", "float", "zip", "range", "len", "list"}


class Program(NamedTuple):
    name: str
    path: str  # the file, or the folder
    runtime: str
    reference: str
    envs: Sequence[str]

    @property
    def main(self) -> str:
        return os.path.join(self.path, "main.py") if os.path.isdir(self.path) else self.path

    def files(self) -> List[str]:
        if not os.path.isdir(self.path):
            return [self.path]
        return sorted(os.path.join(self.path, f) for f in os.listdir(self.path) if f.endswith(".py"))


def _program(path: str) -> Program:
    main = os.path.join(path, "main.py") if os.path.isdir(path) else path
    with open(main, encoding="utf-8") as handle:
        header = dict(_HEADER.findall(handle.read()))
    name = os.path.basename(path)[:-3] if path.endswith(".py") else os.path.basename(path)
    return Program(name, path, header["runtime"], header["reference"], header["envs"].split())


def programs() -> List[Program]:
    found = []
    for entry in sorted(os.listdir(PROGRAMS)):
        path = os.path.join(PROGRAMS, entry)
        if entry == HARNESS or entry.startswith(("_", ".")):
            continue
        if entry.endswith(".py") or os.path.isfile(os.path.join(path, "main.py")):
            found.append(_program(path))
    return found


def current_env() -> str:
    """``keras3`` where ``keras`` 3 is installed, else ``tf215`` (tf.keras 2 on TensorFlow 2.15)."""
    from importlib import metadata  # Python 3.8+: this module is imported, not used, on 3.7

    return "keras3" if int(metadata.version("keras").split(".")[0]) >= 3 else "tf215"


def copy_program(program: Program, folder: str) -> Program:
    """The program (file or folder) copied into ``folder``, with the harness beside it.

    The harness is part of the program's project as lp-fix sees it: a single-file
    program hands its ``build`` and ``train`` to ``harness.main``, and the model
    resolver follows them there to see which model ``train`` gets.
    """
    target = os.path.join(folder, os.path.basename(program.path))
    if os.path.isdir(program.path):
        shutil.copytree(program.path, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy(program.path, target)
        shutil.copy(os.path.join(PROGRAMS, HARNESS), folder)
    return program._replace(path=target)


def lp_fix(program: Program, args: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """The installed lp-fix command, next to this Python, on the program's file or folder."""
    command = os.path.join(os.path.dirname(sys.executable), "lp-fix")
    return subprocess.run(
        [command] + list(args) + [program.path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False
    )


def snapshot(program: Program) -> Dict[str, bytes]:
    contents = {}
    for path in program.files():
        with open(path, "rb") as handle:
            contents[os.path.basename(path)] = handle.read()
    return contents


def run(program: Program, mode: str = "both") -> Dict:
    """One fresh Python process: ``{"loop": ..., "reference": ...}`` (what ``mode`` asks)."""
    folder = os.path.dirname(program.main)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([folder, PROGRAMS]),
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONHASHSEED="0",
        PYTHONWARNINGS="ignore",
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS="1",
        KERAS_BACKEND="tensorflow",
    )
    done = subprocess.run(
        [sys.executable, program.main, mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=folder
    )
    if done.returncode != 0:
        raise RuntimeError(
            "{} {} failed:\n{}".format(program.main, mode, done.stderr.decode(errors="replace")[-4000:])
        )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def run_many(runs: Sequence) -> List[Dict]:
    """``[(program, mode), ...]`` in one fresh Python process (tests/tf2_run.py): one TensorFlow import."""
    env = dict(
        os.environ,
        PYTHONPATH=PROGRAMS,
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONHASHSEED="0",
        PYTHONWARNINGS="ignore",
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS="1",
        KERAS_BACKEND="tensorflow",
    )
    arguments = ["{}:{}".format(program.main, mode) for program, mode in runs]
    done = subprocess.run(
        [sys.executable, os.path.join(HERE, "tf2_run.py")] + arguments,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=PROGRAMS,
    )
    if done.returncode != 0:
        raise RuntimeError("{} failed:\n{}".format(arguments, done.stderr.decode(errors="replace")[-4000:]))
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def values(result: Dict) -> List[float]:
    return list(result["batch_losses"]) + list(result["moving_statistics"]) + [result["evaluation_loss"]]


def difference(result: Dict, reference: Dict) -> float:
    """Largest difference relative to max(|reference|, 1); NaN or a length mismatch is infinite."""
    ours, theirs = values(result), values(reference)
    if len(ours) != len(theirs) or len(result["batch_losses"]) != len(reference["batch_losses"]):
        return math.inf
    worst = 0.0
    for value, expected in zip(ours, theirs):
        if math.isnan(value) or math.isnan(expected):
            return math.inf
        worst = max(worst, abs(value - expected) / max(abs(expected), 1.0))
    return worst


def expected_lines(source: str) -> List[int]:
    return [n for n, line in enumerate(source.splitlines(), start=1) if _EXPECT.search(line)]


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return base + "." + node.attr if base else None
    return None


def _model_call(tree: ast.AST, line: int) -> ast.Call:
    """The one outermost call starting on ``line`` that is not a tf/keras/numpy or loss function."""
    candidates = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno == line:
            func = node.func.value if isinstance(node.func, ast.Subscript) else node.func  # models[k](x)
            name = _dotted(func)
            if name is None or name.split(".")[0] in NOT_MODELS or "loss" in name.split(".")[-1].lower():
                continue
            candidates.append(node)
    inner = {id(n) for c in candidates for n in ast.walk(c) if n is not c}
    candidates = [c for c in candidates if id(c) not in inner]  # generator(noise(step)): the outer call
    if len(candidates) != 1:
        raise ValueError("line {}: {} candidate model calls".format(line, len(candidates)))
    return candidates[0]


def hand_fix_source(source: str) -> str:
    """``training=True`` added to each model call on a ``# expect: LP300`` line, as a person would
    (the flag a ``# flag: is_training`` header names, for a model whose own call takes that)."""
    flag = re.search(r"^#\s*flag:\s*(\w+)", source, re.M)
    keyword = (flag.group(1) if flag else "training") + "=True"
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    edits = []
    for line in expected_lines(source):
        call = _model_call(tree, line)
        end_line, end_col = call.end_lineno, call.end_col_offset - 1  # the closing parenthesis
        text = lines[end_line - 1]
        before = text.encode("utf-8")[:end_col].decode("utf-8")
        stripped = before.rstrip()
        separator = "" if stripped.endswith(("(", ",")) else ", "
        if stripped.endswith(","):
            separator = " "
        edits.append((end_line, len(before), separator + keyword))
    for end_line, column, insert in sorted(edits, reverse=True):
        text = lines[end_line - 1]
        lines[end_line - 1] = text[:column] + insert + text[column:]
    return "".join(lines)


def hand_fix(program: Program) -> int:
    """Applies :func:`hand_fix_source` to every file of a copied program; the number of calls fixed."""
    count = 0
    for path in program.files():
        with open(path, encoding="utf-8", newline="") as handle:
            source = handle.read()
        count += len(expected_lines(source))
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(hand_fix_source(source))
    return count
